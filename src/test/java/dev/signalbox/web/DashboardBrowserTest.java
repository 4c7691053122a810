package dev.signalbox.web;

import static dev.signalbox.web.DashboardSession.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.SignalboxTest;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
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
 * The dashboard in real headless Chromium, htmx and all: from sign-up to a post on the sandbox
 * network's public page. Needs Debian's chromium and chromium-driver; run with {@code -Pbrowser}.
 * Leaves a screenshot of the profile page in {@code docs/dashboard.png}.
 */
@Tag("browser")
class DashboardBrowserTest extends SignalboxTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    /**
     * Links to published posts are built from {@code signalbox.base-url}, which must name the real
     * port for the browser to follow them; a random port (0) would not do, so this test picks one.
     */
    static final int PORT = freePort();

    @DynamicPropertySource
    static void fixedPort(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("signalbox.base-url", () -> "http://127.0.0.1:" + PORT);
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

    private Path profileDir;
    private ChromeDriverService service;
    private WebDriver browser;

    @BeforeEach
    void startChromium() throws Exception {
        // Both paths are explicit, so Selenium Manager has nothing to look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        profileDir = Files.createTempDirectory("signalbox-chromium");
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1200", "--user-data-dir=" + profileDir);
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopChromium() throws Exception {
        if (browser != null) browser.quit();
        if (service != null) service.stop();
        if (profileDir != null) {
            try (var files = Files.walk(profileDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private void fill(String css, String value) {
        WebElement field = browser.findElement(By.cssSelector(css));
        field.clear();
        field.sendKeys(value);
    }

    private void submit(String formCss) {
        browser.findElement(By.cssSelector(formCss + " button[type=submit]:not(.offscreen)")).click();
    }

    @Test
    void a_new_customer_signs_up_connects_a_sandbox_profile_and_sees_the_post_on_the_network() throws Exception {
        browser.get(url(SignInPages.SIGNUP));
        fill("#name", "Chris Chromium");
        fill("#email", unique("chris") + "@example.com");
        fill("#password", "correct horse battery");
        submit("form[action='/signup']");
        waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Your workspaces"));

        fill("#workspace-name", "Acme Social");
        submit("form[action='/workspaces']");
        waiting(10).until(ExpectedConditions.urlContains("/workspaces/"));

        String handle = unique("acme_");
        fill("#handle", handle);
        browser.findElement(By.cssSelector("form[action$='/profiles'] button[type=submit]")).click();
        waiting(15).until(ExpectedConditions.urlContains("/profiles/"));
        String profileUrl = browser.getCurrentUrl();

        String text = "Hello from Chromium " + unique("");
        browser.findElement(By.id("text")).sendKeys(text);
        // htmx asks the server for the length as the user types
        waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#text-feedback .counter"),
                text.length() + " / 500"));
        browser.findElement(By.cssSelector("input[name=when][value=now]")).click();
        submit("section.compose form");

        By published = By.cssSelector("#history li[data-status=published] a.network-link");
        waiting(20).until(driver -> {
            if (!driver.findElements(published).isEmpty()) return true;
            driver.navigate().refresh();
            return false;
        });
        WebElement publishedPost = browser.findElement(By.cssSelector("#history li[data-status=published]"));
        assertThat(publishedPost.findElement(By.cssSelector(".text")).getText()).isEqualTo(text);

        // one post waiting in the queue, for the screenshot
        browser.findElement(By.id("text")).sendKeys("Our launch recap, next week");
        browser.findElement(By.cssSelector("input[name=when][value=at]")).click();
        String nextWeek = LocalDateTime.now().plusDays(7).withHour(9).truncatedTo(ChronoUnit.HOURS).toString();
        ((JavascriptExecutor) browser).executeScript("document.querySelector('input[name=at]').value = arguments[0]", nextWeek);
        submit("section.compose form");
        waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#queue li[data-status=scheduled]")));
        assertThat(browser.getCurrentUrl()).isEqualTo(profileUrl);

        Path screenshot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("docs"));
        Files.copy(screenshot, Path.of("docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);

        browser.findElement(published).click();
        waiting(10).until(ExpectedConditions.urlContains("/sandbox/@" + handle + "/"));
        assertThat(browser.findElement(By.tagName("body")).getText()).contains(text);
    }
}
