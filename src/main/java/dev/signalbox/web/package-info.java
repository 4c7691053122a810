/**
 * The customer dashboard: server-rendered jte pages with htmx, signed in by form and protected by
 * CSRF tokens. Owns no tables; every change goes through the accounts, profiles and publishing services.
 */
package dev.signalbox.web;
