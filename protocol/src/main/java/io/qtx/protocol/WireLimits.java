package io.qtx.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;

/**
 * Bounds on what a protobuf payload may make the parser build, checked on the wire bytes
 * before any object exists. Parsing a payload as it comes can turn a few bytes into a lot of
 * heap: an empty repeated message entry is two bytes on the wire and a whole object in Java
 * (a 256 KiB frame of them decodes to about 15 MiB). The check walks the encoding with the
 * message's {@link Descriptor}, without allocating per field, and says what broke first:
 *
 * <ul>
 *   <li>entries of one repeated field in one message (packed scalars: their byte count);</li>
 *   <li>bytes of one string or bytes field;</li>
 *   <li>objects in the whole tree: every message, string, bytes and unknown field, which is
 *       what the parse allocates (scalars live inside their message);</li>
 *   <li>nesting depth, and groups (not in our protocol; a parser keeps them as unknown sets).</li>
 * </ul>
 *
 * Limits are set per field by full name ({@code qtx.v1.TelemetryReport.interfaces}), per
 * message type (its strings and repeated fields), or as defaults. Immutable; any thread.
 */
public final class WireLimits {

    /** How many entries and bytes one field may have; {@link Integer#MAX_VALUE} for no bound. */
    public record Bound(int entries, int bytes) {
    }

    private final Descriptor root;
    private final Bound defaults;
    private final int maxObjects;
    private final int maxDepth;
    private final Map<FieldDescriptor, Bound> byField;

    private WireLimits(Builder b) {
        this.root = b.root;
        this.defaults = new Bound(b.repeated, b.strings);
        this.maxObjects = b.objects;
        this.maxDepth = b.depth;
        this.byField = Map.copyOf(b.resolve());
    }

    /** Limits for messages of type {@code root}; every bound starts unlimited but depth (32). */
    public static Builder of(Descriptor root) {
        return new Builder(root);
    }

    public int maxObjects() {
        return maxObjects;
    }

    /** The bound that applies to {@code field}. */
    public Bound bound(FieldDescriptor field) {
        return byField.getOrDefault(field, defaults);
    }

    /**
     * Checks an encoded message of the root type, from its position to its limit; the buffer's
     * position is left as it was.
     *
     * @return null when within every bound, else what broke first (for logs and counters)
     */
    public String check(ByteBuffer encoded) {
        CodedInputStream in = CodedInputStream.newInstance(encoded.duplicate());
        in.setRecursionLimit(maxDepth + 1);
        int[] objects = {0};
        try {
            return scan(in, root, 1, objects);
        } catch (IOException | RuntimeException e) {
            return "malformed " + root.getName() + ": " + e.getMessage();
        }
    }

    private String scan(CodedInputStream in, Descriptor type, int depth, int[] objects) throws IOException {
        if (depth > maxDepth) {
            return type.getFullName() + ": nested deeper than " + maxDepth;
        }
        int[] entries = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return null;
            }
            int wireType = WireFormat.getTagWireType(tag);
            if (wireType == WireFormat.WIRETYPE_START_GROUP || wireType == WireFormat.WIRETYPE_END_GROUP) {
                return type.getFullName() + ": a group (field " + WireFormat.getTagFieldNumber(tag) + ")";
            }
            FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            if (field == null) {
                String broke = skipUnknown(in, type, tag, objects);
                if (broke != null) {
                    return broke;
                }
                continue;
            }
            Bound bound = bound(field);
            boolean delimited = wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (field.isRepeated()) {
                if (entries == null) {
                    entries = new int[type.getFields().size()];
                }
                // Packed scalars: every element takes at least one byte, so their bytes bound them.
                boolean packed = delimited && isScalar(field);
                int index = field.getIndex();
                entries[index] += packed ? skipPacked(in) : 1;
                if (entries[index] > bound.entries()) {
                    return field.getFullName() + ": more than " + bound.entries() + " entries";
                }
                if (packed) {
                    continue;
                }
            }
            if (!delimited) {
                in.skipField(tag);
                continue;
            }
            String broke = scanDelimited(in, field, bound, tag, depth, objects);
            if (broke != null) {
                return broke;
            }
        }
    }

    /** An unknown field: one object (kept as unknown), a length-delimited one bounded like a string. */
    private String skipUnknown(CodedInputStream in, Descriptor type, int tag, int[] objects) throws IOException {
        if (++objects[0] > maxObjects) {
            return tooMany(objects[0]);
        }
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return null;
        }
        int length = in.readRawVarint32();
        if (length > defaults.bytes()) {
            return type.getFullName() + " unknown field " + WireFormat.getTagFieldNumber(tag) + ": "
                    + length + " bytes > " + defaults.bytes();
        }
        in.skipRawBytes(length);
        return null;
    }

    private static boolean isScalar(FieldDescriptor field) {
        FieldDescriptor.JavaType t = field.getJavaType();
        return t != FieldDescriptor.JavaType.MESSAGE && t != FieldDescriptor.JavaType.STRING
                && t != FieldDescriptor.JavaType.BYTE_STRING;
    }

    /** Skips a packed run and returns its byte count. */
    private static int skipPacked(CodedInputStream in) throws IOException {
        int length = in.readRawVarint32();
        in.skipRawBytes(length);
        return length;
    }

    /** A length-delimited known field: a message is scanned in turn, a string or bytes bounded. */
    private String scanDelimited(CodedInputStream in, FieldDescriptor field, Bound bound, int tag, int depth,
                                 int[] objects) throws IOException {
        switch (field.getJavaType()) {
            case MESSAGE -> {
                if (++objects[0] > maxObjects) {
                    return tooMany(objects[0]);
                }
                int length = in.readRawVarint32();
                int old = in.pushLimit(length);
                String broke = scan(in, field.getMessageType(), depth + 1, objects);
                if (broke != null) {
                    return broke;
                }
                in.popLimit(old);
            }
            case STRING, BYTE_STRING -> {
                if (++objects[0] > maxObjects) {
                    return tooMany(objects[0]);
                }
                int length = in.readRawVarint32();
                if (length > bound.bytes()) {
                    return field.getFullName() + ": " + length + " bytes > " + bound.bytes();
                }
                in.skipRawBytes(length);
            }
            default -> in.skipField(tag); // a wire type that does not match: the parse will say so
        }
        return null;
    }

    private String tooMany(int objects) {
        return root.getName() + ": more than " + maxObjects + " objects (" + objects + " so far)";
    }

    /** Sets the bounds; unset ones are unlimited. */
    public static final class Builder {
        private final Descriptor root;
        private int repeated = Integer.MAX_VALUE;
        private int strings = Integer.MAX_VALUE;
        private int objects = Integer.MAX_VALUE;
        private int depth = 32;
        private final Map<String, Bound> fields = new HashMap<>();
        private final Map<String, Bound> types = new HashMap<>();

        private Builder(Descriptor root) {
            this.root = root;
        }

        /** Default entries of any repeated field. */
        public Builder repeated(int max) {
            this.repeated = positive(max);
            return this;
        }

        /** Default bytes of any string, bytes or unknown length-delimited field. */
        public Builder strings(int max) {
            this.strings = positive(max);
            return this;
        }

        /** Objects in the whole message tree. */
        public Builder objects(int max) {
            this.objects = positive(max);
            return this;
        }

        public Builder depth(int max) {
            this.depth = positive(max);
            return this;
        }

        /** Bounds of every field of message type {@code typeFullName} (e.g. {@code qtx.v1.Hello}). */
        public Builder type(String typeFullName, int entries, int bytes) {
            types.put(typeFullName, new Bound(positive(entries), positive(bytes)));
            return this;
        }

        /** Bounds of one field, by full name; they win over its type's. */
        public Builder field(String fieldFullName, int entries, int bytes) {
            fields.put(fieldFullName, new Bound(positive(entries), positive(bytes)));
            return this;
        }

        public WireLimits build() {
            return new WireLimits(this);
        }

        /** Every name given must exist in the root's tree: a typo must not silently lift a bound. */
        private Map<FieldDescriptor, Bound> resolve() {
            Map<String, Descriptor> reachable = new HashMap<>();
            collect(root, reachable);
            Map<FieldDescriptor, Bound> out = new HashMap<>();
            for (var t : types.entrySet()) {
                Descriptor d = reachable.get(t.getKey());
                if (d == null) {
                    throw new IllegalArgumentException("no message type " + t.getKey() + " under " + root.getFullName());
                }
                for (FieldDescriptor f : d.getFields()) {
                    out.put(f, t.getValue());
                }
            }
            for (var f : fields.entrySet()) {
                String name = f.getKey();
                int dot = name.lastIndexOf('.');
                Descriptor d = dot < 0 ? null : reachable.get(name.substring(0, dot));
                FieldDescriptor field = d == null ? null : d.findFieldByName(name.substring(dot + 1));
                if (field == null) {
                    throw new IllegalArgumentException("no field " + name + " under " + root.getFullName());
                }
                out.put(field, f.getValue());
            }
            return out;
        }

        private static void collect(Descriptor d, Map<String, Descriptor> into) {
            if (into.putIfAbsent(d.getFullName(), d) != null) {
                return;
            }
            for (FieldDescriptor f : d.getFields()) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    collect(f.getMessageType(), into);
                }
            }
        }

        private static int positive(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("a bound must be positive: " + n);
            }
            return n;
        }
    }
}
