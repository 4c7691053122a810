package dev.signalbox.web;

import java.util.List;

/** The ten recovery codes of a just-confirmed enrolment; Signalbox keeps only their hashes, so this is the only time they show. */
public record TotpRecoveryPage(PageHeader header, List<String> codes) {}
