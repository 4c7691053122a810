-- Every attempt's ledger line is written twice: inserted when the post is claimed, then updated with
-- the outcome a moment later. None of the updated columns is indexed, so the update can be a HOT
-- update (no new entries in the table's two indexes) when the page still has room for the new row
-- version. Filled to the default 100 %, pages had none: each outcome added a row version on another
-- page and an entry in both indexes. Filling new pages to 40 % keeps the outcome next to its line:
-- in a trial of 20 claims of 110 posts each, each batch settled at once, 96 % of the outcome updates
-- were HOT at 40 %, 54 % at 60 %, none at 100 %. The ledger takes about 2.5 times the room. Existing
-- pages keep their layout; the setting applies to pages filled from now on.
alter table post_attempts set (fillfactor = 40);
