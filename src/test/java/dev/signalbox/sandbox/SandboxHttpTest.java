package dev.signalbox.sandbox;

import dev.signalbox.testing.SignalboxTest;

/** Base of the sandbox's HTTP tests: the whole app, reached over real HTTP. */
abstract class SandboxHttpTest extends SignalboxTest {
}
