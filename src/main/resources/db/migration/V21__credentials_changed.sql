-- Each node remembers the bearer tokens it has resolved (accounts.ApiTokens). Any change to a token or a
-- user, made by Signalbox or by hand in psql (a leaked token deleted in an emergency), tells every node to
-- forget them. One notification per statement: a bulk delete is one message, not one per row.
create function notify_credentials_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('credentials_changed', tg_table_name);
    return null;
end
$$;

create trigger api_tokens_changed after update or delete or truncate on api_tokens
    for each statement execute function notify_credentials_changed();
create trigger users_changed after update or delete or truncate on users
    for each statement execute function notify_credentials_changed();
