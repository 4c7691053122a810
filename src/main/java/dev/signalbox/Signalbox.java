package dev.signalbox;

import dev.signalbox.cli.Cli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Signalbox: with no arguments (or only Spring-style {@code --name=value} options) it serves;
 * with a command ({@code halt}, {@code keys rotate}, …) it runs that command and exits.
 */
@SpringBootApplication
@EnableScheduling
public class Signalbox {

    public static void main(String[] args) {
        if (Cli.isCommand(args)) {
            System.exit(Cli.run(args));
        }
        SpringApplication.run(Signalbox.class, args);
    }
}
