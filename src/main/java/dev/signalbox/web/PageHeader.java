package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What the shared layout needs: the page title, who is signed in (null on the sign-in pages), the
 * CSRF token for sign-out, whether they are an operator (for the Command link), and the banner
 * shown while posting is paused (null when it is not).
 */
public record PageHeader(String title, String userName, Csrf csrf, boolean operator, String banner) {

    public static PageHeader of(String title, CurrentUser user, HttpServletRequest request) {
        return new PageHeader(title, user == null ? null : user.name(), Csrf.of(request), user != null && user.isOperator(),
                (String) request.getAttribute(HaltBanner.ATTRIBUTE));
    }

    public boolean signedIn() {
        return userName != null;
    }

    /**
     * The incident banners for the request being rendered ({@link IncidentBanner}), read from the
     * request so every page built on the layout shows them, whoever built its header.
     */
    public IncidentBannerView incidentBanners() {
        return signedIn() ? IncidentBanner.current() : IncidentBannerView.NONE;
    }
}
