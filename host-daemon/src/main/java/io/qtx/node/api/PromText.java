package io.qtx.node.api;

import java.io.OutputStream;
import java.math.BigDecimal;

import io.qtx.node.Histogram;

/**
 * Writes metric families in the Prometheus text format (0.0.4) or in OpenMetrics 1.0, which a
 * scraper asks for by {@code Accept}. The two differ where it matters here: OpenMetrics names a
 * counter family without {@code _total}, has an {@code info} type and ends with {@code # EOF}.
 * A family's samples must follow its header before the next family starts.
 * The text goes to its sink as it is made ({@link StreamedText}): a scrape of 5,000 VMs is
 * some 35 MB.
 */
final class PromText {

    static final String TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final boolean openMetrics;
    private final StreamedText stream;
    private final StringBuilder out;

    PromText(boolean openMetrics, OutputStream sink) {
        this.openMetrics = openMetrics;
        this.stream = new StreamedText(sink);
        this.out = stream.text();
    }

    /** True when {@code accept} names OpenMetrics (Prometheus sends it first in its own Accept). */
    static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    /** A counter family; its samples are {@code name + "_total"}. */
    PromText counter(String name, String help) {
        return header(openMetrics ? name : name + "_total", "counter", help);
    }

    PromText gauge(String name, String help) {
        return header(name, "gauge", help);
    }

    PromText histogram(String name, String help) {
        return header(name, "histogram", help);
    }

    /** An info family; its one sample is {@code name + "_info"} with value 1. */
    PromText info(String name, String help) {
        return openMetrics ? header(name, "info", help) : header(name + "_info", "gauge", help);
    }

    private PromText header(String family, String type, String help) {
        out.append("# HELP ").append(family).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append("\n# TYPE ").append(family).append(' ').append(type).append('\n');
        return spillIfFull();
    }

    /** One sample; {@code labels} alternate name and value. */
    PromText sample(String name, double value, String... labels) {
        out.append(name);
        labels(labels, null, null);
        out.append(' ').append(number(value)).append('\n');
        return spillIfFull();
    }

    /** A histogram's buckets, sum and count under {@code name}, with {@code labels} on each. */
    PromText histogramSamples(String name, Histogram h, String... labels) {
        double[] bounds = h.bounds();
        long[] cumulative = h.cumulative();
        for (int i = 0; i <= bounds.length; i++) {
            out.append(name).append("_bucket");
            labels(labels, "le", i == bounds.length ? "+Inf" : number(bounds[i]));
            out.append(' ').append(cumulative[i]).append('\n');
        }
        out.append(name).append("_sum");
        labels(labels, null, null);
        out.append(' ').append(number(h.sum())).append('\n');
        out.append(name).append("_count");
        labels(labels, null, null);
        out.append(' ').append(cumulative[bounds.length]).append('\n');
        return spillIfFull();
    }

    private void labels(String[] labels, String extraName, String extraValue) {
        if (labels.length == 0 && extraName == null) {
            return;
        }
        out.append('{');
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        if (extraName != null) {
            if (labels.length > 0) {
                out.append(',');
            }
            out.append(extraName).append("=\"").append(extraValue).append('"');
        }
        out.append('}');
    }

    /** A label value as both formats want it: backslash, quote and newline escaped. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Integers without a fraction, others in plain decimal; +Inf, -Inf and NaN spelt as Prometheus spells them. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** Writes what is left (and OpenMetrics' end marker) and flushes the sink. */
    void finish() {
        if (openMetrics) {
            out.append("# EOF\n");
        }
        stream.finish();
    }

    private PromText spillIfFull() {
        stream.spillIfFull();
        return this;
    }
}
