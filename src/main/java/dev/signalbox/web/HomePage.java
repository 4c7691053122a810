package dev.signalbox.web;

import java.util.List;

/** The signed-in user's workspaces and the form to create one. */
public record HomePage(PageHeader header, List<Item> workspaces, String newName, FieldErrors errors) {

    public record Item(String name, String role, String url) {}
}
