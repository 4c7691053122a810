/**
 * Accounts: users (customers and operators), passwords, operators' two-factor sign-in, sign-in
 * throttling, API tokens, dashboard sign-in, workspaces with members and roles. Owns users,
 * api_tokens, users_totp, recovery_codes, sign_in_failures, workspaces, workspace_members.
 */
package dev.signalbox.accounts;
