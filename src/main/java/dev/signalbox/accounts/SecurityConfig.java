package dev.signalbox.accounts;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
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
    SecurityFilterChain api(HttpSecurity http, ApiTokens tokens, Users users) throws Exception {
        http.securityMatcher("/api/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, "/api/v1/users", "/api/v1/auth/token").permitAll()
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> ProblemResponses.write(res, 401,
                        "Unauthorized", "Send a valid API token as `Authorization: Bearer <token>` (POST /api/v1/auth/token issues one)")))
                .addFilterBefore(new BearerTokenFilter(tokens, users), UsernamePasswordAuthenticationFilter.class);
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
    SecurityFilterChain dashboard(HttpSecurity http, AuthenticationProvider provider) throws Exception {
        http.authenticationProvider(provider)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/signup", "/status", "/status/**", "/status.json",
                                "/actuator/health", "/actuator/health/**", "/htmx.min.js", "/app.css", "/app.js",
                                "/favicon.ico", "/error").permitAll()
                        .anyRequest().authenticated())
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", false).failureUrl("/login?error"))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut"));
        return http.build();
    }

    /** Dashboard sign-in: the same password check as the API. */
    @Bean
    AuthenticationProvider dashboardSignIn(Users users) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication authentication) {
                CurrentUser user = users.authenticate(authentication.getName(), String.valueOf(authentication.getCredentials()))
                        .orElseThrow(() -> new BadCredentialsException("Wrong email or password"));
                return authenticated(user);
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

    /** Reads `Authorization: Bearer …`; a missing or unknown token leaves the request anonymous. */
    static final class BearerTokenFilter extends OncePerRequestFilter {
        private final ApiTokens tokens;
        private final Users users;

        BearerTokenFilter(ApiTokens tokens, Users users) {
            this.tokens = tokens;
            this.users = users;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                tokens.resolve(header.substring(7).trim())
                        .flatMap(users::byId)
                        .ifPresent(user -> SecurityContextHolder.getContext().setAuthentication(authenticated(user)));
            }
            chain.doFilter(request, response);
        }
    }
}
