package org.turnoutstream.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.influx.InfluxReader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfluxDbTest {
    @TempDir Path dir;

    @Test
    void startsAnswersPingAndStopsIdempotently() throws Exception {
        InfluxDb influx = InfluxDb.start(dir, 0, false);
        try (influx) {
            assertEquals(204, ping(influx.url()));
            assertTrue(influx.url().startsWith("http://127.0.0.1:"));
            assertTrue(ProcessHandle.of(influx.pid()).isPresent());
            assertTrue(influx.admin().isEmpty());
            assertTrue(Files.exists(dir.resolve("influxd.log")));
        }
        influx.close(); // second close is a no-op
        assertFalse(influx.isRunning());
    }

    @Test
    void restartsOnTheSameDataWithAuthAndTheSameAdmin() throws Exception {
        int port;
        InfluxDb.Credentials admin;
        try (InfluxDb influx = InfluxDb.start(dir, 0, true)) {
            port = influx.port();
            admin = influx.admin().orElseThrow();
            assertFalse(admin.toString().contains(admin.password()));
            influx.createDatabase("kept");
        }
        try (InfluxDb again = InfluxDb.start(dir, port, true)) {
            assertEquals(port, again.port());
            assertEquals(admin, again.admin().orElseThrow());
            assertTrue(again.reader().query(null, "SHOW DATABASES").stream().anyMatch(db -> "kept".equals(db.get("name"))));
            IOException refused = assertThrows(IOException.class,
                    () -> new InfluxReader(again.url(), admin.username(), "wrong-" + admin.password()).query("kept", "SHOW MEASUREMENTS"));
            assertEquals("InfluxDB at " + again.url() + " refused the credentials (HTTP 401)", refused.getMessage());
        }
    }

    @Test
    void saysHowToInstallInfluxdWhenItIsNotOnThePath() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InfluxDb.findInfluxd(dir.toString()));
        assertEquals("influxd not found: install the Debian package influxdb (apt-get install -y influxdb)", e.getMessage());
    }

    @Test
    void aFailedStartReportsTheTailOfTheLog() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> InfluxDb.start(dir, taken.getLocalPort(), false));
            assertTrue(e.getMessage().contains("influxd exited"), e.getMessage());
            assertTrue(e.getMessage().contains("address already in use"), e.getMessage());
        }
    }

    private static int ping(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url + "/ping")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
