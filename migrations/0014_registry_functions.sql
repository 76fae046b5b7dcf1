-- How a home's building, unit and room compare: full-width characters folded, spaces dropped,
-- a trailing 栋/幢/号楼/座/单元/室/号 and leading zeros removed ("３号楼" = "3", "0301室" = "301").
-- Imports store households' parts through it and the matching applies it to members' answers.
CREATE OR REPLACE FUNCTION home_part(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_replace(
           regexp_replace(
             regexp_replace(
               lower(translate(s,
                 '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－　',
                 '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz- ')),
               '\s+', '', 'g'),
             '(号楼|栋|幢|座|单元|室|号)$', ''),
           '^0+([0-9])', '\1')
$$;
--> statement-breakpoint
-- claims.member_id (and the waitlist's and draw's) has no foreign key (注销 re-labels past claims with an id naming nobody);
-- a new claim must still name a member. FOR KEY SHARE holds the member row as a foreign key would.
CREATE OR REPLACE FUNCTION claims_member_exists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM members WHERE id = NEW.member_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'row names no member' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_member_id_members_id_fk';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER claims_member_exists BEFORE INSERT ON claims FOR EACH ROW EXECUTE FUNCTION claims_member_exists();
--> statement-breakpoint
CREATE TRIGGER waitlist_entries_member_exists BEFORE INSERT ON waitlist_entries FOR EACH ROW EXECUTE FUNCTION claims_member_exists();
--> statement-breakpoint
CREATE TRIGGER draw_entries_member_exists BEFORE INSERT ON draw_entries FOR EACH ROW EXECUTE FUNCTION claims_member_exists();
--> statement-breakpoint
INSERT INTO member_consents (member_id, version, action, at)
SELECT id, consent_version, 'given', consented_at FROM members;
