/**
 * The built-in sandbox network: a fake Mastodon under /sandbox (OAuth, statuses, public pages)
 * for demos, tests, benchmarks and drills. Owns the sandbox_* tables and templates under jte/sandbox.
 */
package dev.signalbox.sandbox;
