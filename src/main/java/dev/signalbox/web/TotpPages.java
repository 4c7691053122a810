package dev.signalbox.web;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.TwoFactor;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** `/account/totp`: an operator scans a QR code, confirms a current code, and is shown ten recovery codes once. */
@Controller
public final class TotpPages {

    public static final String ENROL = TwoFactor.ENROLMENT_PAGE;

    private final TwoFactor twoFactor;

    TotpPages(TwoFactor twoFactor) {
        this.twoFactor = twoFactor;
    }

    @GetMapping(ENROL)
    String form(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        if (!user.isOperator()) throw ApiProblem.notFound("The page " + ENROL);
        if (twoFactor.enrolled(user.id())) {
            model.addAttribute("page", new TotpPage(PageHeader.of("Two-factor sign-in", user, request), user.email(), null, null, null,
                    List.of(), true));
            return "totp";
        }
        return enrolForm(user, null, request, model);
    }

    @PostMapping(ENROL)
    String confirm(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String code,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!user.isOperator()) throw ApiProblem.notFound("The page " + ENROL);
        List<String> codes;
        try {
            codes = twoFactor.confirm(user, code, request.getRemoteAddr());
        } catch (ApiProblem refused) {
            if (refused.status().value() != 422) throw refused;
            response.setStatus(422);
            return enrolForm(user, refused.errors().getFirst().message(), request, model);
        }
        model.addAttribute("page", new TotpRecoveryPage(PageHeader.of("Recovery codes", user, request), codes));
        return "totp-recovery";
    }

    private String enrolForm(CurrentUser user, String error, HttpServletRequest request, Model model) {
        TwoFactor.Enrolment enrolment = twoFactor.beginEnrolment(user);
        model.addAttribute("page", new TotpPage(PageHeader.of("Set up two-factor sign-in", user, request), user.email(),
                enrolment.secret(), qrDataUri(enrolment.otpauthUri()), error, List.of(), false));
        return "totp";
    }

    /** The QR code of {@code text} as an SVG data: URI (one path, a quiet zone of 4 modules). */
    static String qrDataUri(String text) {
        BitMatrix matrix;
        try {
            matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, Map.of(EncodeHintType.MARGIN, 4));
        } catch (WriterException e) {
            throw new IllegalStateException("The otpauth URI does not fit in a QR code", e);
        }
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < matrix.getHeight(); y++) {
            for (int x = 0; x < matrix.getWidth(); x++) {
                if (matrix.get(x, y)) path.append('M').append(x).append(',').append(y).append("h1v1h-1z");
            }
        }
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + matrix.getWidth() + " " + matrix.getHeight()
                + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\""
                + path + "\"/></svg>";
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
    }
}
