package dev.signalbox.publishing;

import dev.signalbox.accounts.CurrentUser;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Posts in the REST contract (docs: API.md, Publishing). */
@RestController
class PublishingApi {

    record NewPost(String text, String when, String at) {}
    record PostChange(String text, String at) {}

    private final Posts posts;

    PublishingApi(Posts posts) {
        this.posts = posts;
    }

    @PostMapping("/api/v1/profiles/{profileId}/posts")
    @ResponseStatus(HttpStatus.CREATED)
    Post create(@AuthenticationPrincipal CurrentUser user, @PathVariable String profileId, @RequestBody NewPost body) {
        return posts.create(user, profileId, body.text(), body.when(), body.at());
    }

    @GetMapping("/api/v1/profiles/{profileId}/posts")
    Posts.Page list(@AuthenticationPrincipal CurrentUser user, @PathVariable String profileId,
            @RequestParam(required = false) String status, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return posts.list(user, profileId, status, limit, cursor);
    }

    @GetMapping("/api/v1/posts/{id}")
    Post get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return posts.get(user, id);
    }

    @PatchMapping("/api/v1/posts/{id}")
    Post edit(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody PostChange body) {
        return posts.edit(user, id, body.text(), body.at());
    }

    /** A held post that waited for its owner after a reconnection goes out now. */
    @PostMapping("/api/v1/posts/{id}/confirm")
    Post confirm(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return posts.confirm(user, id);
    }

    @DeleteMapping("/api/v1/posts/{id}")
    Post cancel(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return posts.cancel(user, id);
    }
}
