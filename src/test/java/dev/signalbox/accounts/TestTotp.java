package dev.signalbox.accounts;

import java.time.Instant;

/** An operator's authenticator app, for tests in other packages: the code of a step for a base32 secret. */
public final class TestTotp {

    /** A fixed secret for test operators (base32). */
    public static final String SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    private TestTotp() {}

    /** The code an authenticator shows now, shifted by {@code steps} 30-second steps (±1 is still accepted). */
    public static String code(String base32Secret, int steps) {
        return Totp.code(base32Secret, Totp.stepAt(Instant.now()) + steps);
    }
}
