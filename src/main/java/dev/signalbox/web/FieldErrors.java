package dev.signalbox.web;

import dev.signalbox.platform.ApiProblem;
import java.util.List;
import java.util.stream.Collectors;

/** The field errors of a refused form, looked up by field name (e.g. {@code text}, {@code slots[2].time}). */
public record FieldErrors(List<ApiProblem.FieldError> errors) {

    public static final FieldErrors NONE = new FieldErrors(List.of());

    static FieldErrors of(ApiProblem problem) {
        return new FieldErrors(problem.errors());
    }

    /** The messages for {@code field}, joined, or null when the field is fine. */
    public String of(String field) {
        String joined = errors.stream().filter(e -> e.field().equals(field)).map(ApiProblem.FieldError::message)
                .collect(Collectors.joining("; "));
        return joined.isEmpty() ? null : joined;
    }

    /** Errors that name none of {@code shownFields}: shown at the top of the form so none is lost. */
    public List<ApiProblem.FieldError> otherThan(String... shownFields) {
        List<String> shown = List.of(shownFields);
        return errors.stream().filter(e -> !shown.contains(e.field())).toList();
    }

    public boolean any() {
        return !errors.isEmpty();
    }
}
