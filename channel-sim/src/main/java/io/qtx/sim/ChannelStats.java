package io.qtx.sim;

/**
 * What one simulated channel has done so far, as seen by the simulator (QEMU's side).
 *
 * <p>A snapshot taken by the simulator's thread between two steps, so the fields agree with each
 * other: {@code bytesFromHost == bytesHostToGuest + hostBytesHeld + hostBytesDropped} and
 * {@code bytesFromGuest == bytesGuestToHost + guestBytesHeld + guestBytesDropped} always hold.
 *
 * @param hostConnected     a host client is accepted and being served
 * @param hostClientsServed host clients accepted so far (the one served now included)
 * @param guestAttached     a guest holds the port, so that another guest's connect is refused
 * @param guestAttachments  guest attachments so far (the current one included)
 * @param bytesFromHost     bytes read from host clients
 * @param bytesHostToGuest  bytes written to a guest
 * @param hostBytesHeld     host bytes read but not yet written to a guest (kept for it)
 * @param hostBytesDropped  host bytes discarded because their client left before a guest took them
 * @param bytesFromGuest    bytes read from guests
 * @param bytesGuestToHost  bytes written to a host client
 * @param guestBytesHeld    guest bytes read but not yet written to the host client
 * @param guestBytesDropped guest bytes discarded: written with no host client, or left undelivered
 *                          when the host client went away
 */
public record ChannelStats(
        boolean hostConnected, long hostClientsServed,
        boolean guestAttached, long guestAttachments,
        long bytesFromHost, long bytesHostToGuest, long hostBytesHeld, long hostBytesDropped,
        long bytesFromGuest, long bytesGuestToHost, long guestBytesHeld, long guestBytesDropped) {

    /** One line for logs, {@code name=value} pairs. */
    public String summary() {
        return "host=" + (hostConnected ? "connected" : "none") + " served=" + hostClientsServed
                + " guest=" + (guestAttached ? "attached" : "none") + " attachments=" + guestAttachments
                + " h2g=" + bytesHostToGuest + " held=" + hostBytesHeld + " h-dropped=" + hostBytesDropped
                + " g2h=" + bytesGuestToHost + " g-dropped=" + guestBytesDropped;
    }
}
