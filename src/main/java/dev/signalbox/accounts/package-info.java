/**
 * Accounts: users (customers and operators), passwords, API tokens, dashboard sign-in,
 * workspaces with members and roles. Owns users, api_tokens, workspaces, workspace_members.
 */
package dev.signalbox.accounts;
