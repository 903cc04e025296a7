package org.turnoutstream.audit;

/**
 * The measurement names the recount produces: the same names as the live series (so points compare
 * one to one), spelled out here on purpose rather than shared with the streaming job's code.
 */
public final class AuditPoints {
    public static final String CONSTITUENCY = "constituency_turnout";
    public static final String PROVINCE = "province_turnout";
    public static final String NATIONAL = "national_turnout";

    private AuditPoints() {}
}
