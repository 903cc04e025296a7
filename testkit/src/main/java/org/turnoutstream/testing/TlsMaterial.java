package org.turnoutstream.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1 / localhost, made with the JDK's
 * {@code keytool} (no other tool or library): {@link #keystore()} holds the server's key and chain (for a broker's TLS
 * listener), {@link #truststore()} the CA alone (what a client trusts). PKCS12, one password for both stores. Valid for
 * two days: for tests only.
 */
public record TlsMaterial(Path keystore, Path truststore, String password) {
    private static final String SAN = "SAN=IP:127.0.0.1,DNS:localhost";

    /** Writes {@code ca.p12}, {@code server.p12} and {@code truststore.p12} (and the certificates between) into {@code dir}. */
    public static TlsMaterial generate(Path dir, String password) throws IOException {
        if (password.length() < 6) throw new IllegalArgumentException("keytool wants store passwords of at least 6 characters");
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12"), server = dir.resolve("server.p12"), trust = dir.resolve("truststore.p12");
        Path csr = dir.resolve("server.csr"), serverCert = dir.resolve("server.crt"), caCert = dir.resolve("ca.crt");
        keytool(dir, "-genkeypair", "-alias", "ca", "-dname", "CN=turnout-test-ca", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-file", caCert);
        keytool(dir, "-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-ext", SAN, "-keystore", server, "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-certreq", "-alias", "server", "-keystore", server, "-storepass", password, "-file", csr);
        // the extensions are not copied from the request: name them again
        keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-infile", csr, "-outfile",
                serverCert, "-validity", "2", "-ext", SAN, "-ext", "KU=digitalSignature,keyEncipherment", "-ext", "EKU=serverAuth");
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caCert, "-keystore", server, "-storepass", password);
        keytool(dir, "-importcert", "-alias", "server", "-file", serverCert, "-keystore", server, "-storepass", password);
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caCert, "-keystore", trust, "-storetype", "PKCS12",
                "-storepass", password);
        return new TlsMaterial(server, trust, password);
    }

    private static void keytool(Path dir, Object... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        for (Object a : args) command.add(a.toString());
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " took over 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed (exit " + process.exitValue() + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
