package io.qtx.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** qxctl's JSON reader and lookups, on what qx-node writes and on what a hostile guest could make it pass on. */
class JsonReaderTest {

    private static Map<String, Object> parse(String json) throws CliException {
        return Json.parse(json);
    }

    private static String refusal(String json) {
        return assertThrows(JsonReader.Malformed.class, () -> JsonReader.read(json), json).getMessage();
    }

    @Test
    void readsObjectsArraysAndScalarsInDocumentOrder() throws Exception {
        Map<String, Object> o = parse(" {\"vms\":[{\"id\":\"vm-1\",\"ok\":true,\"n\":null}, 3, \"x\"],"
                + "\"z\":-0.5e1,\t\"a\":{}}\n");
        assertEquals(List.of("vms", "z", "a"), List.copyOf(o.keySet()));
        List<?> vms = (List<?>) o.get("vms");
        assertEquals(Map.of("id", "vm-1", "ok", true, "n", Json.NULL), vms.get(0));
        assertEquals(3.0, vms.get(1));
        assertEquals(-5.0, o.get("z"));
        assertEquals(Map.of(), o.get("a"));
    }

    @Test
    void decodesEveryEscapeAndUnicode() throws Exception {
        Map<String, Object> o = parse("{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 é 😀 \\u0000\"}");
        assertEquals("q\" b\\ s/ \b\f\n\r\t é 😀 é 😀 \0", o.get("s"));
        // A lone surrogate is kept as the unit it is; the terminal path escapes or replaces it.
        assertEquals("\ud800x", parse("{\"s\":\"\\ud800x\"}").get("s"));
    }

    @Test
    void hugeAndOddNumbersBecomeDoublesAndPrintAsBefore() throws Exception {
        Map<String, Object> o = parse("{\"big\":123456789012345678901234567890,\"inf\":1e400,\"neg\":-1e400,"
                + "\"tiny\":1e-400,\"int\":42,\"frac\":0.25,\"e\":1E+3,\"negzero\":-0,\"s64\":\"9007199254740993\"}");
        assertEquals(1.2345678901234568e29, o.get("big"));
        assertEquals(Double.POSITIVE_INFINITY, o.get("inf"));
        assertEquals(Double.NEGATIVE_INFINITY, o.get("neg"));
        assertEquals(0.0, o.get("tiny"));
        assertEquals("42", Json.str(o, "int"), "whole numbers print without a fraction");
        assertEquals("0.25", Json.str(o, "frac"));
        assertEquals("1000", Json.str(o, "e"));
        assertEquals("1.2345678901234568E29", Json.str(o, "big"));
        assertEquals("Infinity", Json.str(o, "inf"));
        assertEquals(9007199254740992.0, Json.number(o, "s64"), "64-bit integers written as strings read as numbers");
    }

    @Test
    void refusesTruncatedBodiesAtTheirEnd() {
        for (String cut : new String[] {"", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "{\"a\":\"abc",
                "{\"a\":\"\\", "{\"a\":\"\\u12", "[1, 2", "tr", "nul", "-"}) {
            String m = refusal(cut);
            assertTrue(m.contains("offset"), cut + ": " + m);
        }
        String cut = "{\"vms\":[{\"id\":\"vm-1\"}";
        assertTrue(refusal(cut).endsWith("cut off at offset " + cut.length()), refusal(cut));
    }

    @Test
    void refusesWhatIsNotStrictJson() {
        for (String bad : new String[] {"01", "1.", ".5", "+1", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", "[1,]",
                "{\"a\":1,}", "{a:1}", "{'a':1}", "[1 2]", "{\"a\" 1}", "{} x", "{}{}", "\"tab\there\"", "\"nl\nhere\"",
                "\"\\x41\"", "\"\\u12G4\"", "{\"a\":1,\"a\":2}", "truex", "[,]", ",", "\u00a0{}"}) {
            refusal(bad);
        }
    }

    @Test
    void deepNestingIsRefusedWithoutExhaustingTheStack() {
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
        assertTrue(refusal(deep).contains("nested deeper than " + JsonReader.MAX_DEPTH));
        assertTrue(refusal("{\"a\":".repeat(100_000)).contains("nested deeper"));
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        assertThrows(CliException.class, () -> Json.parse(ok), "an array is JSON but not an API answer");
    }

    @Test
    void anAnswerThatIsNotJsonIsAnInternalErrorWithWhere() {
        CliException e = assertThrows(CliException.class, () -> Json.parse("<html>502</html>"));
        assertEquals(Exit.INTERNAL, e.exit);
        assertTrue(e.getMessage().contains("not JSON: unexpected '<' at offset 0"), e.getMessage());
        assertEquals(Exit.INTERNAL, assertThrows(CliException.class, () -> Json.parse("[]")).exit);
        assertEquals(Exit.INTERNAL, assertThrows(CliException.class, () -> Json.parse(null)).exit);
    }

    @Test
    void lookupsTellAbsentFromNullAndNeverFailOnTheWrongKind() throws Exception {
        Map<String, Object> o = parse("{\"result\":{\"signal\":null,\"code\":3,\"name\":\"x\"},\"flag\":true,"
                + "\"list\":[{\"id\":\"a\"},7,{\"id\":\"b\"}],\"s\":\"abc\"}");
        assertSame(Json.NULL, Json.at(o, "result.signal"));
        assertNull(Json.at(o, "result.absent"));
        assertNull(Json.at(o, "s.deeper"), "a path through a string finds nothing");
        assertEquals("", Json.str(o, "result.signal"));
        assertEquals("", Json.str(o, "list"), "an array is not text");
        assertEquals(0, Json.number(o, "s"));
        assertEquals(3, Json.number(o, "result.code"));
        assertTrue(Json.bool(o, "flag"));
        assertFalse(Json.bool(o, "result.name"));
        assertFalse(Json.bool(o, "nothing"));
        List<Map<String, Object>> items = Json.objects(o, "list");
        assertEquals(3, items.size());
        assertEquals("b", Json.str(items.get(2), "id"));
        assertEquals(Map.of(), items.get(1));
        assertEquals(List.of(), Json.objects(o, "flag"));
    }

    @Test
    void textForATerminalEscapesWhatAGuestSent() throws Exception {
        Map<String, Object> o = parse("{\"host\":\"evil\\u001b[2J\\r\\nforged line\\u202e\",\"long\":\"" + "x".repeat(600) + "\"}");
        assertEquals("evil\\x1b[2J\\x0d\\x0aforged line\\u202e", Json.text(o, "host"));
        assertEquals(513, Json.text(o, "long").length(), "cut at 512 with an ellipsis");
    }

    @Test
    void quoteRoundTripsThroughTheReader() throws Exception {
        for (String s : new String[] {"", "plain", "q\"b\\", "ctl\u0001\n\t\u001f", "é 😀 \u2028", "\\u0041"}) {
            assertEquals(s, JsonReader.read(Json.quote(s)), s);
        }
    }
}
