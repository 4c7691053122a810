/** The operator command line, in the same jar: `java -jar signalbox.jar COMMAND …`. Talks to the REST API. */
package dev.signalbox.cli;
