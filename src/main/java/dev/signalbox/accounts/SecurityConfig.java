package dev.signalbox.accounts;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import dev.signalbox.platform.ApiProblem;
import java.util.List;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Two doors: the API takes bearer tokens and keeps no session; the dashboard signs in with a
 * form, keeps a session and checks CSRF tokens. The sandbox network checks its own tokens.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfig {


    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, ApiTokens tokens) throws Exception {
        http.securityMatcher("/api/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, "/api/v1/users", "/api/v1/auth/token").permitAll()
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> ProblemResponses.write(res, 401,
                        "Unauthorized", "Send a valid API token as `Authorization: Bearer <token>` (POST /api/v1/auth/token issues one)")))
                .addFilterBefore(new BearerTokenFilter(tokens), UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain sandbox(HttpSecurity http) throws Exception {
        http.securityMatcher("/sandbox/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain dashboard(HttpSecurity http, AuthenticationProvider provider, TwoFactor twoFactor) throws Exception {
        http.authenticationProvider(provider)
                .addFilterBefore(new EnrolmentGate(twoFactor), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/signup", "/status", "/status/**", "/status.json",
                                "/actuator/health", "/actuator/health/**", "/htmx.min.js", "/app.css", "/app.js",
                                "/favicon.ico", "/error").permitAll()
                        .anyRequest().authenticated())
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", false).failureUrl("/login?error")
                        .authenticationDetailsSource(request -> new SignInDetails(request.getRemoteAddr(), request.getParameter("totp"))))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut"));
        return http.build();
    }

    /** What the sign-in form sends besides email and password: the two-factor code, and where it came from. */
    record SignInDetails(String remoteAddress, String totp) {}

    /**
     * Dashboard sign-in: the same checks as the API (throttle, password, two-factor code for
     * enrolled operators). The refusal's message is what the sign-in page shows.
     */
    @Bean
    AuthenticationProvider dashboardSignIn(SignIn signIn) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                SignInDetails details = authentication.getDetails() instanceof SignInDetails d ? d : new SignInDetails(null, null);
                try {
                    return authenticated(signIn.attempt(authentication.getName(), String.valueOf(authentication.getCredentials()),
                            details.totp(), details.remoteAddress(), "dashboard"));
                } catch (ApiProblem refused) {
                    String message = refused.getMessage().replaceFirst("^totp: ", "");
                    message = Character.toUpperCase(message.charAt(0)) + message.substring(1);
                    if (refused.status().value() == 429) throw new LockedException(message);
                    throw new BadCredentialsException(message);
                }
            }

            @Override
            public boolean supports(Class<?> type) {
                return UsernamePasswordAuthenticationToken.class.isAssignableFrom(type);
            }
        };
    }

    static Authentication authenticated(CurrentUser user) {
        List<SimpleGrantedAuthority> authorities = user.operatorRoles().stream()
                .map(r -> new SimpleGrantedAuthority("ROLE_OPERATOR_" + r.toUpperCase()))
                .toList();
        return UsernamePasswordAuthenticationToken.authenticated(user, null, authorities);
    }

    /**
     * Sends a signed-in operator who has no second factor yet to the enrolment page; until they
     * confirm one, every other dashboard page redirects there (sign-out and static files excepted).
     */
    static final class EnrolmentGate extends OncePerRequestFilter {
        private static final Set<String> OPEN = Set.of(TwoFactor.ENROLMENT_PAGE, "/logout", "/login", "/error",
                "/app.css", "/app.js", "/htmx.min.js", "/favicon.ico");
        private final TwoFactor twoFactor;

        EnrolmentGate(TwoFactor twoFactor) {
            this.twoFactor = twoFactor;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            if (auth != null && auth.getPrincipal() instanceof CurrentUser user && user.isOperator()
                    && !OPEN.contains(request.getServletPath()) && !twoFactor.enrolled(user.id())) {
                response.setHeader("HX-Redirect", TwoFactor.ENROLMENT_PAGE);
                response.sendRedirect(TwoFactor.ENROLMENT_PAGE);
                return;
            }
            chain.doFilter(request, response);
        }
    }

    /** Reads `Authorization: Bearer …`; a missing or unknown token leaves the request anonymous. */
    static final class BearerTokenFilter extends OncePerRequestFilter {
        private final ApiTokens tokens;

        BearerTokenFilter(ApiTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                tokens.resolve(header.substring(7).trim())
                        .ifPresent(user -> SecurityContextHolder.getContext().setAuthentication(authenticated(user)));
            }
            chain.doFilter(request, response);
        }
    }
}
