package dev.signalbox.networks;

import dev.signalbox.platform.ApiProblem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The adapters this node knows, by network name. */
@Component
public class Networks {

    private final Map<String, NetworkAdapter> adapters;

    Networks(List<NetworkAdapter> adapters) {
        this.adapters = adapters.stream().collect(Collectors.toUnmodifiableMap(NetworkAdapter::network, Function.identity()));
    }

    public Optional<NetworkAdapter> find(String network) {
        return Optional.ofNullable(adapters.get(network));
    }

    public NetworkAdapter require(String network) {
        return find(network).orElseThrow(() -> ApiProblem.invalid("network",
                "'" + network + "' is not a network this Signalbox knows; use one of " + String.join(", ", adapters.keySet().stream().sorted().toList())));
    }
}
