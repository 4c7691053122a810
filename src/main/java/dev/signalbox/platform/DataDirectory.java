package dev.signalbox.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The local folder for the embedded database and the generated master key. */
@Component
public class DataDirectory {

    private final Path path;

    DataDirectory(@Value("${signalbox.data-dir:./data}") String dir) {
        this.path = Path.of(dir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("SIGNALBOX_DATA_DIR " + path + " cannot be created", e);
        }
    }

    public Path path() {
        return path;
    }
}
