package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        String out = new PromText(false).gauge("x", "h").sample("x", 1, "vm", "a\"b\\c\nd").finish();
        assertTrue(out.contains("x{vm=\"a\\\"b\\\\c\\nd\"} 1\n"), out);
    }

    @Test
    void aHistogramWritesCumulativeBucketsSumAndCount() {
        Histogram h = new Histogram(new double[] {0.5, 1});
        h.observe(0.2);
        h.observe(3);
        String out = new PromText(false).histogram("d_seconds", "h").histogramSamples("d_seconds", h, "vm", "v").finish();
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"0.5\"} 1\n"), out);
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"1\"} 1\n"), out);
        assertTrue(out.contains("d_seconds_bucket{vm=\"v\",le=\"+Inf\"} 2\n"), out);
        assertTrue(out.contains("d_seconds_sum{vm=\"v\"} 3.2\n"), out);
        assertTrue(out.contains("d_seconds_count{vm=\"v\"} 2\n"), out);
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
