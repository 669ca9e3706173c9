package io.durablestreams.store;

import java.util.Locale;

/** When the file store forces appended data to disk, and so what an acknowledgement promises. */
public enum Durability {
    /**
     * Every append is forced to disk before it is acknowledged or shown to readers; appends that
     * arrive while a sync runs share the next one (group commit). An acknowledged append
     * survives a process crash and a power loss.
     */
    FSYNC,
    /**
     * Appends are acknowledged once written to the operating system, and forced to disk on a
     * fixed interval. They survive a process crash; a power loss can take the last interval.
     */
    INTERVAL,
    /**
     * Appends are acknowledged once written to the operating system, which decides when to
     * write them to disk. They survive a process crash; a power loss can take any of them.
     */
    NONE;

    /**
     * Parses a configuration value.
     *
     * @param value {@code fsync}, {@code interval} or {@code none}, in any case
     * @return the policy
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Durability parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid durability " + value
                    + "; accepted values are fsync, interval and none");
        }
    }
}
