package org.turnoutstream.functions;

import org.turnoutstream.schemas.LinkType;

import java.io.Serializable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How long a branch may stay silent before it counts as down: a default (60 s unless configured) and
 * optionally one per link type (a satellite link reports less often than fibre). A branch whose link
 * type is not known yet uses the default.
 */
public final class HeartbeatTimeouts implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT = Duration.ofSeconds(60);

    private final long defaultMillis;
    private final EnumMap<LinkType, Long> perLinkMillis;
    /** The timeout of each link type by ordinal (the map's, else the default): asked at every heartbeat. */
    private final long[] byLink;

    private HeartbeatTimeouts(long defaultMillis, EnumMap<LinkType, Long> perLinkMillis) {
        this.defaultMillis = defaultMillis;
        this.perLinkMillis = perLinkMillis;
        this.byLink = byLink();
    }

    public static HeartbeatTimeouts defaults() {
        return of(DEFAULT);
    }

    public static HeartbeatTimeouts of(Duration timeout) {
        return new HeartbeatTimeouts(positive(timeout, "heartbeat timeout"), new EnumMap<>(LinkType.class));
    }

    /** A copy with {@code timeout} for branches on {@code link}. */
    public HeartbeatTimeouts with(LinkType link, Duration timeout) {
        EnumMap<LinkType, Long> copy = new EnumMap<>(LinkType.class);
        copy.putAll(perLinkMillis);
        copy.put(link, positive(timeout, "heartbeat timeout for " + link));
        return new HeartbeatTimeouts(defaultMillis, copy);
    }

    public static HeartbeatTimeouts of(Duration timeout, Map<LinkType, Duration> perLink) {
        HeartbeatTimeouts timeouts = of(timeout);
        for (Map.Entry<LinkType, Duration> e : perLink.entrySet()) timeouts = timeouts.with(e.getKey(), e.getValue());
        return timeouts;
    }

    /** The timeout in milliseconds for a branch on {@code link} (null: not known). */
    public long millisFor(LinkType link) {
        if (link == null) return defaultMillis;
        return byLink[link.ordinal()];
    }

    private long[] byLink() {
        LinkType[] links = LinkType.values();
        long[] table = new long[links.length];
        for (LinkType link : links) table[link.ordinal()] = perLinkMillis.getOrDefault(link, defaultMillis);
        return table;
    }

    private static long positive(Duration d, String what) {
        if (d == null || d.toMillis() <= 0) throw new IllegalArgumentException(what + " must be positive: " + d);
        return d.toMillis();
    }

    @Override
    public String toString() {
        return "HeartbeatTimeouts{default=" + defaultMillis + "ms, perLink=" + perLinkMillis + "}";
    }
}
