package org.turnoutstream.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds free TCP ports on the loopback interface for locally started services. A port is free when asked and released
 * at once, so the system may hand it out again: this JVM never gets the same port twice (two listeners of one service,
 * e.g. influxd's HTTP and RPC ports or a broker's two listeners, once got the same one and failed to start).
 */
public final class FreePorts {
    private FreePorts() {}

    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    public static synchronized int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (GIVEN.add(port)) return port;
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on 127.0.0.1", e);
            }
        }
        throw new UncheckedIOException(new IOException("no free port on 127.0.0.1 that this JVM has not used yet"));
    }
}
