package dev.signalbox.web;

import static dev.signalbox.web.DashboardSession.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.accounts.TestTotp;
import dev.signalbox.comms.IncidentPages;
import dev.signalbox.testing.SignalboxTest;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An incident update from the operator's composer to a customer's dashboard, in two real headless
 * Chromium sessions: the live checklist flags the missing apology, the operator fixes it and sends
 * with the banner channel, the customer sees the banner, dismisses it (htmx) and it stays gone.
 * Needs Debian's chromium and chromium-driver; run with {@code -Pbrowser}. Leaves a screenshot of
 * the customer's page with the banner in {@code docs/incident-banner.png}.
 */
@Tag("browser")
class IncidentBannerBrowserTest extends SignalboxTest {

    static final String ADMIN = "banner-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final int PORT = freePort();

    @DynamicPropertySource
    static void operatorAndPort(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("signalbox.base-url", () -> "http://127.0.0.1:" + PORT);
        registry.add("signalbox.admin.email", () -> ADMIN);
        registry.add("signalbox.admin.password", () -> PASSWORD);
        registry.add("signalbox.admin.totp-secret", () -> TestTotp.SECRET);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @LocalServerPort
    int port;

    private final List<Path> profileDirs = new ArrayList<>();
    private final List<ChromeDriverService> services = new ArrayList<>();
    private final List<WebDriver> browsers = new ArrayList<>();

    /** A separate browser: its own profile folder, so its own cookies and session. */
    private WebDriver chromium() throws Exception {
        System.setProperty("webdriver.chrome.driver", DashboardBrowserTest.CHROMEDRIVER);
        Path dir = Files.createTempDirectory("signalbox-chromium");
        profileDirs.add(dir);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DashboardBrowserTest.CHROMEDRIVER))
                .usingAnyFreePort().build();
        services.add(service);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(DashboardBrowserTest.CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000", "--user-data-dir=" + dir);
        WebDriver browser = new ChromeDriver(service, options);
        browsers.add(browser);
        return browser;
    }

    @AfterEach
    void stopChromium() throws Exception {
        for (WebDriver b : browsers) b.quit();
        for (ChromeDriverService s : services) s.stop();
        for (Path dir : profileDirs) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private static WebDriverWait waiting(WebDriver browser, int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void fill(WebDriver browser, String css, String value) {
        WebElement field = browser.findElement(By.cssSelector(css));
        field.clear();
        field.sendKeys(value);
    }

    @Test
    void an_operator_fixes_the_missing_apology_sends_and_a_customer_sees_and_dismisses_the_banner() throws Exception {
        // the customer signs up in their own browser first
        WebDriver customer = chromium();
        customer.get(url(SignInPages.SIGNUP));
        fill(customer, "#name", "Cleo Customer");
        fill(customer, "#email", unique("cleo") + "@example.com");
        fill(customer, "#password", "correct horse battery");
        customer.findElement(By.cssSelector("form[action='/signup'] button[type=submit]")).click();
        waiting(customer, 10).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Your workspaces"));
        assertThat(customer.findElements(By.cssSelector(".incident-banner"))).isEmpty();

        // the operator signs in with two-factor and opens an incident
        WebDriver operator = chromium();
        operator.get(url(SignInPages.LOGIN));
        fill(operator, "#username", ADMIN);
        fill(operator, "#password", PASSWORD);
        fill(operator, "#totp", TestTotp.code(TestTotp.SECRET, 0));
        operator.findElement(By.cssSelector("form[action='/login'] button[type=submit]")).click();
        waiting(operator, 10).until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        operator.get(url(IncidentPages.LIST));
        String title = "Spam posted through sandbox profiles " + unique("");
        fill(operator, "#title", title);
        operator.findElement(By.cssSelector("form[action='" + IncidentPages.LIST + "'] button[type=submit]")).click();
        waiting(operator, 10).until(ExpectedConditions.urlContains("/incidents/inc_"));

        // they write an update without an apology: the live checklist flags it
        WebElement body = operator.findElement(By.id("body"));
        body.sendKeys("""
                Spam was posted from some sandbox profiles about an hour ago. Not everyone is affected.

                What you should do now:

                - Delete any post you did not write

                Your password is not affected. We will post updates on our status page.

                Reply to this email with any question; we will answer every email.

                – Ana and the Signalbox team""");
        By apologyMissing = By.xpath("//section[@class='review']//li[contains(@class,'missing') and contains(., 'An apology')]");
        waiting(operator, 10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("review"), "1 required item(s) missing"));
        assertThat(operator.findElements(apologyMissing)).hasSize(1);
        assertThat(operator.findElement(By.id("review")).getText()).contains("Say sorry");

        // they fix it at the top, the checklist clears, and they send it with the banner
        body.sendKeys(Keys.chord(Keys.CONTROL, Keys.HOME));
        body.sendKeys("I'm so sorry for the trouble this causes you. ");
        waiting(operator, 10).until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//section[@class='review']//li[contains(@class,'ok') and contains(., 'An apology')]")));
        assertThat(operator.findElements(apologyMissing)).isEmpty();
        assertThat(operator.findElement(By.id("preview-banner")).getText()).contains(title, "I'm so sorry for the trouble this causes you.");
        operator.findElement(By.cssSelector("input[name=channels][value=banner]")).click();
        operator.findElement(By.cssSelector("form.composer button[type=submit]")).click();
        waiting(operator, 10).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("p.notice[role=status]"), "Update published"));
        assertThat(operator.findElement(By.tagName("main")).getText()).contains("banner: delivered");

        // the customer sees the banner on their next page
        customer.navigate().refresh();
        By banner = By.xpath("//div[contains(@class,'incident-banner') and contains(., '" + title + "')]");
        waiting(customer, 10).until(ExpectedConditions.visibilityOfElementLocated(banner));
        WebElement shown = customer.findElement(banner);
        assertThat(shown.getText()).contains("MAJOR", "I'm so sorry for the trouble this causes you.");
        assertThat(shown.findElement(By.tagName("a")).getAttribute("href")).startsWith(url("/status#inc_"));
        Path screenshot = ((ChromeDriver) customer).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("docs"));
        Files.copy(screenshot, Path.of("docs", "incident-banner.png"), StandardCopyOption.REPLACE_EXISTING);

        // dismissed in place (htmx), and still gone on the next page
        shown.findElement(By.cssSelector("button[type=submit]")).click();
        waiting(customer, 10).until(ExpectedConditions.invisibilityOfElementLocated(banner));
        assertThat(customer.getCurrentUrl()).doesNotContain("/banners/");
        customer.navigate().refresh();
        waiting(customer, 10).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Your workspaces"));
        assertThat(customer.findElements(banner)).isEmpty();

        // resolved: the banner is down for everyone (and this shared test database is left without one)
        new org.openqa.selenium.support.ui.Select(operator.findElement(By.id("status"))).selectByValue("resolved");
        operator.findElement(By.id("body")).sendKeys("""
                I'm sorry again for the trouble. It is over since a few minutes ago. Not everyone was affected.

                What you should do now:

                - Nothing more

                Your password is not affected. We will post what we learned on our status page.

                Reply to this email with any question; we will answer every email.

                – Ana and the Signalbox team""");
        operator.findElement(By.cssSelector("form.composer button[type=submit]")).click();
        waiting(operator, 10).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main"), "resolved ·"));
    }
}
