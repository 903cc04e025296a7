package org.turnoutstream.reference;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;

/** Small hand-made elections and helpers shared by the reference-data tests. */
final class ReferenceFixtures {
    private ReferenceFixtures() {}

    static final String KARAJ = "alb-karaj";
    static final String TALEQAN = "alb-taleqan";
    static final String TEHRAN = "teh-tehran";
    static final String EMPTY = "alb-empty";

    static String karajBranch(int n) {
        return String.format("alb-karaj-%04d", n);
    }

    static String taleqanBranch(int n) {
        return String.format("alb-taleqan-%04d", n);
    }

    static String tehranBranch(int n) {
        return String.format("teh-tehran-%04d", n);
    }

    /** Alborz: Karaj 20 branches / 30,000 voters, Taleqan 2 / 1,500, an empty one / 700; Tehran 5 / 9,000. */
    static Election smallElection(String id) {
        Election.Builder b = Election.builder(id)
                .constituency(TEHRAN, "Tehran", "Tehran", 9_000)
                .constituency(KARAJ, "Karaj", "Alborz", 30_000)
                .constituency(TALEQAN, "Taleqan", "Alborz", 1_500)
                .constituency(EMPTY, "No branches yet", "Alborz", 700);
        for (int i = 1; i <= 20; i++) b.branch(karajBranch(i), KARAJ, "Karaj branch " + i);
        for (int i = 1; i <= 2; i++) b.branch(taleqanBranch(i), TALEQAN, "Taleqan branch " + i);
        for (int i = 1; i <= 5; i++) b.branch(tehranBranch(i), TEHRAN, "Tehran branch " + i);
        return b.build();
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("turnout.repo.dir", "..")).toAbsolutePath().normalize();
    }

    static Path alborzSample() {
        return repoRoot().resolve("reference/alborz-synthetic");
    }

    @SuppressWarnings("unchecked")
    static <T> T javaRoundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
