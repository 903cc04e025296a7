package org.turnoutstream.events;

/** A record the job could not count, with why. Nothing is dropped silently: it goes to turnout.dlq. */
public class DeadLetter {
    public RawRecord record;
    public RejectionReason reason;
    public String detail;

    public DeadLetter() {}

    public DeadLetter(RawRecord record, RejectionReason reason, String detail) {
        this.record = record;
        this.reason = reason;
        this.detail = detail;
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + " " + record.coordinates() + ": " + detail + "}";
    }
}
