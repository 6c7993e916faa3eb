package io.qtx.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The VM route table itself: one handler per (method, action), nothing else answers. */
class VmRoutesTest {

    @Test
    void everyRowIsFoundByItsMethodAndActionAndNoTwoRowsShareOne() {
        Set<String> keys = new HashSet<>();
        for (VmRoutes.Route r : VmRoutes.TABLE) {
            assertSame(r.handler(), VmRoutes.find(r.method(), r.action()), r.toString());
            keys.add(r.method() + " " + r.action());
        }
        assertEquals(VmRoutes.TABLE.size(), keys.size());
    }

    @Test
    void aWrongMethodOrAnUnknownActionHasNoHandler() {
        assertNotNull(VmRoutes.find("GET", "files"));
        assertNotNull(VmRoutes.find("PUT", "files"));
        assertNull(VmRoutes.find("DELETE", "files"));
        assertNull(VmRoutes.find("GET", "exec"));
        assertNull(VmRoutes.find("get", "processes"), "methods are matched as sent, upper case");
        assertNull(VmRoutes.find("GET", "processes/"));
        assertNull(VmRoutes.find("GET", "no-such-action"));
    }
}
