package dev.signalbox.web;

import java.util.List;

/**
 * Two-factor enrolment. While enrolling: the QR code (a data: URI of an SVG) of the otpauth URI,
 * the same secret in base32 for typing, and the error of a refused code (or null). Once
 * confirmed: the recovery codes, shown this once, in {@code recoveryCodes} (empty before).
 */
public record TotpPage(PageHeader header, String email, String secret, String qrDataUri, String error,
        List<String> recoveryCodes, boolean alreadyEnrolled) {}
