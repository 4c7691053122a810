package dev.signalbox.web;

import dev.signalbox.comms.IncidentBanners;
import java.util.List;

/** What the layout shows of the incident banners: the banners, and the path a dismissal comes back to. */
public record IncidentBannerView(List<IncidentBanners.Banner> banners, String returnTo) {

    static final IncidentBannerView NONE = new IncidentBannerView(List.of(), "/");

    /** Where the dismiss form of a banner posts. */
    public static String dismiss(String updateId) {
        return IncidentBanner.DISMISS.replace("{updateId}", updateId);
    }
}
