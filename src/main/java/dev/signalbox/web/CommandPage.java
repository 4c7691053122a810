package dev.signalbox.web;

import dev.signalbox.publishing.Halts;
import java.util.List;

/**
 * The operators' Command page: the one control that stops posting (with a confirmation), the
 * active halts with a way to lift each, and the result of the last halt (what was in flight).
 */
public record CommandPage(PageHeader header, boolean mayAct, List<Halts.Halt> active, Halts.Halt placed, String scope,
        String target, String reason, FieldErrors errors, String message) {}
