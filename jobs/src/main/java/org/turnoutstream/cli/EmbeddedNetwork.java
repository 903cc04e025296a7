package org.turnoutstream.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Where the embedded run ({@code turnout live} without a cluster) listens: its REST API and web UI on
 * {@code --web-ui-bind} (127.0.0.1 unless told otherwise: Flink's REST API accepts job and jar submission without
 * authentication, so whoever reaches it can run code on this machine), the first free port of {@code --web-ui-port};
 * everything else of the embedded cluster (RPC, blob server, data exchange) on the loopback interface only.
 */
final class EmbeddedNetwork {
    static final String LOOPBACK = "127.0.0.1";

    /** The REST/web UI's address and port, and the configuration that makes the embedded cluster use them. */
    record Plan(String bind, int port, Configuration configuration) {
        /** The web UI's URL for an operator on this machine (a wildcard bind is reached on loopback here). */
        String url() {
            String host = isWildcard(bind) ? LOOPBACK : bind.contains(":") ? "[" + bind + "]" : bind;
            return "http://" + host + ":" + port;
        }

        boolean loopbackOnly() {
            try {
                return InetAddress.getByName(bind).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    private EmbeddedNetwork() {}

    /**
     * @param bind  the REST/web UI's bind address
     * @param ports a port ({@code 8081}), a range ({@code 8081-8099}: the first free one) or {@code 0} (any free one)
     */
    static Plan plan(String bind, String ports) {
        int port = firstFree(bind, ports);
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, bind);
        conf.set(RestOptions.ADDRESS, isWildcard(bind) ? LOOPBACK : bind);
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        conf.set(RestOptions.PORT, port);
        // the rest of the embedded cluster: loopback only, whatever the web UI's bind
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        return new Plan(bind, port, conf);
    }

    static boolean isWildcard(String bind) {
        return "0.0.0.0".equals(bind) || "::".equals(bind) || "[::]".equals(bind);
    }

    /** The first port of {@code ports} free on {@code bind}. */
    static int firstFree(String bind, String ports) {
        String spec = ports.trim();
        int from, to;
        int dash = spec.indexOf('-');
        try {
            if (dash > 0) {
                from = Integer.parseInt(spec.substring(0, dash).trim());
                to = Integer.parseInt(spec.substring(dash + 1).trim());
            } else {
                from = to = Integer.parseInt(spec);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--web-ui-port: a port, a range such as 8081-8099, or 0; got '" + ports + "'");
        }
        if (from < 0 || to > 65535 || from > to) throw new IllegalArgumentException("--web-ui-port: no ports in '" + ports + "'");
        for (int port = from; port <= to; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
                return socket.getLocalPort();
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IllegalArgumentException("--web-ui-port: no free port in " + ports + " on " + bind);
    }
}
