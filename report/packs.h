/*
 * report/packs.h — engage run --packs: one page per leader (packs/LEADER.html)
 * and packs/index.html listing them.
 *
 * A pack is written for every leader of the reporting tree whose org is
 * shown on at least one scale (view_leader_shown).  Per scale it gives the
 * leader's org against their parent's org and the company, the shown child
 * orgs and direct teams (the leader's own team and those of the managers
 * reporting to them), the heatmap of those groups × items (favourable
 * share; hidden cells named hidden), with a previous wave the shown change
 * rows of those teams, and the shown teams of the org beyond their funnel
 * limits.  Every figure is one the view publishes in leaders.csv,
 * managers.csv, heatmap.csv or changes.csv; nothing of a hidden group.
 * A pack holds only its own part of the tree, its parent and the company,
 * so its bytes do not depend on the other packs.  Pages are XHTML with
 * inline CSS, no script and no external resource.
 *
 * File names: the leader_id with every byte outside [A-Za-z0-9._-] written
 * %XX (so "%" is "%25" and no name holds "/"), the first byte escaped too
 * when the id is "index" or starts with "."; an escaped id longer than
 * PACKS_NAME_MAX bytes keeps at most its first PACKS_NAME_MAX - 17 bytes
 * (whole escapes), then "~" and 16 hex digits of the id's SHA-256.  Distinct ids give distinct names.
 *
 * Work: children and teams laid out once (O(leaders + managers)), then each
 * pack costs O(its groups × items + its stand-outs · log); memory O(leaders
 * + managers).
 */
#ifndef ENGAGE_PACKS_H
#define ENGAGE_PACKS_H

#include "../core/error.h"
#include "report.h"
#include "view.h"

enum { PACKS_NAME_MAX = 200 };

/* The packs into folder dir (created here); sha256_hex receives the folder's
 * digest (core/digest.h, digest_folder).  ENGAGE_ECANTCREAT, ENGAGE_EIO,
 * ENGAGE_ENOMEM. */
engage_status_t packs_write(const report_input_t *in, const view_t *view, const char *dir,
                            char sha256_hex[65], engage_error_t *err);

/* The file name (without ".html") of a leader id into buf (at least
 * PACKS_NAME_MAX + 1 bytes). */
void packs_file_name(const char *leader_id, char *buf);

#endif
