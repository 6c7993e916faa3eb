package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.qtx.node.Histogram;

class PromTextTest {

    @Test
    void numbersAsPrometheusSpellsThem() {
        assertEquals("3", PromText.number(3.0));
        assertEquals("0.0005", PromText.number(0.0005));
        assertEquals("2.5", PromText.number(2.5));
        assertEquals("+Inf", PromText.number(Double.POSITIVE_INFINITY));
        assertEquals("NaN", PromText.number(Double.NaN));
    }

    @Test
    void labelValuesAreEscaped() {
        var sink = new ByteArrayOutputStream();
        new PromText(false, sink).gauge("x", "h").sample("x", 1, "vm", "a\"b\\c\nd").finish();
        String out = sink.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("x{vm=\"a\\\"b\\\\c\\nd\"} 1\n"), out);
    }

    @Test
    void aHistogramWritesCumulativeBucketsSumAndCount() {
        Histogram h = new Histogram(new double[] {0.5, 1});
        h.observe(0.2);
        h.observe(3);
        var sink = new ByteArrayOutputStream();
        new PromText(false, sink).histogram("d_seconds", "h").histogramSamples("d_seconds", h, "vm", "v").finish();
        String out = sink.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"0.5\"} 1\n"), out);
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"1\"} 1\n"), out);
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"+Inf\"} 2\n"), out);
        assertTrue(out.contains("d_seconds_sum{vm=\"v\"} 3.2\n"), out);
        assertTrue(out.contains("d_seconds_count{vm=\"v\"} 2\n"), out);
    }

    /**
     * A scrape of thousands of VMs is tens of MB: the text must reach the sink as it is made,
     * each write about {@link StreamedText#SPILL_CHARS}, never held whole until the end.
     */
    @Test
    void aLargeExpositionReachesItsSinkAsItIsMadeInBoundedWrites() {
        var sink = new OutputStream() {
            long bytes;
            int largestWrite;

            @Override
            public void write(int b) {
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes += len;
                largestWrite = Math.max(largestWrite, len);
            }
        };
        PromText p = new PromText(true, sink).gauge("qtx_x", "h");
        long samples = 200_000;
        for (int i = 0; i < samples; i++) {
            p.sample("qtx_x", i, "vm", "vm-" + i);
        }
        long beforeFinish = sink.bytes;
        p.finish();
        assertTrue(beforeFinish > sink.bytes - StreamedText.SPILL_CHARS - 200,
                "held back " + (sink.bytes - beforeFinish) + " bytes until finish");
        assertTrue(sink.largestWrite <= StreamedText.SPILL_CHARS + 200, "a write of " + sink.largestWrite + " bytes");
        assertTrue(sink.bytes > samples * 20, sink.bytes + " bytes");
    }

    @Test
    void aFailedWriteSurfaces() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("client gone");
            }
        };
        PromText p = new PromText(false, broken).gauge("x", "h");
        assertThrows(java.io.UncheckedIOException.class, () -> {
            for (int i = 0; i < 100_000; i++) {
                p.sample("x", i);
            }
        });
    }

    @Test
    void guestNamesBecomeLabelsOnlyWhenPlain() {
        assertTrue(GuestLabels.interfaceName("eth0"));
        assertTrue(GuestLabels.interfaceName("br-lan.10"));
        assertFalse(GuestLabels.interfaceName("x".repeat(16)));
        assertFalse(GuestLabels.interfaceName("a\"b"));
        assertTrue(GuestLabels.mountpoint("/var/lib/data"));
        assertFalse(GuestLabels.mountpoint("relative"));
        assertFalse(GuestLabels.mountpoint("/" + "x".repeat(64)));
        assertFalse(GuestLabels.mountpoint("/a b"));
        assertEquals("0.1.0", GuestLabels.version("0.1.0"));
        assertEquals("invalid", GuestLabels.version("<script>"));
    }
}
