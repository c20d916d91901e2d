"""A stub Dolibarr for PHP, built on the facts verified against Dolibarr 23 and MultiSMTP.

Dolibarr is not installable from a package registry, so its rendered scripts run under the real
``php`` against this stub. Beyond recording what the scripts write, the stub *behaves* as the
programs do where the facts matter (each from targets.md §8, verified on the real programs):

* ``dolibarr_set_const`` stores ``llx_const`` rows; an empty value deletes the row;
* ``llx_user2smtp`` rows are kept from the INSERT/UPDATE statements the script sends;
* ``multismtp_credentials($user)``: MultiSMTP's ``getSmtpCredentials()``: the user's row is used
  only when its ``smtp_oauth_service`` is set (then the credentials are those of that core OAuth
  service), else the global ``MAIN_MAIL_SMTPS_OAUTH_SERVICE``;
* ``smtps_login($context)``: ``core/class/smtps.class.php``: host, port, login and OAuth
  service come from the context's suffixed constants, the SASL mechanism from the un-suffixed
  ``MAIN_MAIL_SMTPS_AUTH_TYPE`` only (``LOGIN`` when unset);
* ``microsoft3_prompt($version)``: the MICROSOFT3 callback sends ``prompt=consent`` before the fix
  of PR #40257 (Dolibarr 25), else ``OAUTH_MICROSOFT3_FORCE_PROMPT`` (default
  ``select_account``; empty: no prompt);
* ``google_authorize($label)``: the GOOGLE entry builds its authorize request at
  ``https://accounts.google.com/o/oauth2/auth`` with its ticked short scopes mapped
  (``gmail_full`` is ``https://mail.google.com/``).

The stub writes, at exit, everything it knows as JSON to ``$STUB_OUT``.
"""

# ruff: noqa: E501  (the stub is PHP source, kept readable on its own lines)

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

MASTER = r"""<?php
define('DOL_DOCUMENT_ROOT', __DIR__);
define('MAIN_DB_PREFIX', 'llx_');
$GLOBALS['stub_consts'] = array();
$GLOBALS['stub_user2smtp'] = array();

function stub_values($text) {
    preg_match_all("/'((?:[^'\\\\]|\\\\.)*)'|(NULL)|(-?\\d+)/", $text, $m, PREG_SET_ORDER);
    $out = array();
    foreach ($m as $v) {
        if (isset($v[3]) && $v[3] !== '') { $out[] = (int) $v[3]; }
        elseif (isset($v[2]) && $v[2] === 'NULL') { $out[] = null; }
        else { $out[] = stripslashes($v[1]); }
    }
    return $out;
}

class StubDb {
    public $queries = array();
    public function query($sql) {
        $this->queries[] = $sql;
        if (preg_match('/^INSERT INTO llx_user2smtp \(([^)]*)\) VALUES \((.*)\)$/s', $sql, $m)) {
            $row = array_combine(array_map('trim', explode(',', $m[1])), stub_values($m[2]));
            $GLOBALS['stub_user2smtp'][$row['fk_user']] = $row;
        } elseif (preg_match('/^UPDATE llx_user2smtp SET (.*) WHERE fk_user = (\d+)$/s', $sql, $m)) {
            $id = (int) $m[2];
            preg_match_all("/(\w+) = ('(?:[^'\\\\]|\\\\.)*'|NULL|-?\d+)/", $m[1], $pairs, PREG_SET_ORDER);
            foreach ($pairs as $p) {
                $vals = stub_values($p[2]);
                $GLOBALS['stub_user2smtp'][$id][$p[1]] = $vals[0];
            }
        }
        return true;
    }
    public function fetch_object($res) {
        return getenv('STUB_EXISTING') ? (object) array('rowid' => 5, 'fk_user' => 7) : null;
    }
    public function escape($s) { return addslashes($s); }
    public function lasterror() { return ''; }
    public function idate($t) { return '2026-01-01 00:00:00'; }
}
function dol_now() { return 0; }
$db = new StubDb();

function stub_const($name, $default = '') {
    return array_key_exists($name, $GLOBALS['stub_consts']) ? $GLOBALS['stub_consts'][$name] : $default;
}

// MultiSMTP getSmtpCredentials(): the user's row counts only with an OAuth service selected.
function multismtp_credentials($user) {
    $row = isset($GLOBALS['stub_user2smtp'][$user]) ? $GLOBALS['stub_user2smtp'][$user] : array();
    $service = !empty($row['smtp_oauth_service']) ? $row['smtp_oauth_service'] : stub_const('MAIN_MAIL_SMTPS_OAUTH_SERVICE');
    return array(
        'service' => $service,
        'login' => isset($row['smtp_id']) ? $row['smtp_id'] : stub_const('MAIN_MAIL_SMTPS_ID'),
        'mechanism' => isset($row['smtp_auth_type']) ? $row['smtp_auth_type'] : '',
        'client_id' => stub_const('OAUTH_'.$service.'_ID', null),
        'secret' => stub_const('OAUTH_'.$service.'_SECRET', null),
        'tenant' => stub_const('OAUTH_'.$service.'_TENANT', null),
        'scope' => stub_const('OAUTH_'.$service.'_SCOPE', null),
    );
}

// smtps.class.php: the mechanism comes from the un-suffixed setting only.
function smtps_login($context) {
    $suffix = $context === 'main' ? '' : '_'.strtoupper($context);
    return array(
        'login' => stub_const('MAIN_MAIL_SMTPS_ID'.$suffix, null),
        'service' => stub_const('MAIN_MAIL_SMTPS_OAUTH_SERVICE'.$suffix, null),
        'mechanism' => stub_const('MAIN_MAIL_SMTPS_AUTH_TYPE', 'LOGIN'),
    );
}

// The MICROSOFT3 callback's prompt: hard-coded before the fix of PR #40257 (Dolibarr 25).
function microsoft3_prompt($version) {
    if (version_compare($version, '25', '<')) { return 'consent'; }
    if (!array_key_exists('OAUTH_MICROSOFT3_FORCE_PROMPT', $GLOBALS['stub_consts'])) { return 'select_account'; }
    $value = $GLOBALS['stub_consts']['OAUTH_MICROSOFT3_FORCE_PROMPT'];
    return $value === '' ? null : $value;
}

// The GOOGLE entry's authorize request.
function google_authorize($label) {
    $map = array('gmail_full' => 'https://mail.google.com/');
    $scopes = array();
    foreach (explode(',', stub_const('OAUTH_GOOGLE-'.$label.'_SCOPE')) as $s) {
        if ($s !== '') { $scopes[] = isset($map[$s]) ? $map[$s] : $s; }
    }
    return array('url' => 'https://accounts.google.com/o/oauth2/auth', 'scope' => implode(' ', $scopes));
}

register_shutdown_function(function () use ($db) {
    $ask = json_decode(getenv('STUB_ASK') ?: '{}', true);
    $answers = array();
    foreach ($ask as $key => $call) {
        $answers[$key] = call_user_func_array($call[0], $call[1]);
    }
    file_put_contents(getenv('STUB_OUT'), json_encode(array(
        'consts' => $GLOBALS['stub_consts'], 'user2smtp' => $GLOBALS['stub_user2smtp'],
        'queries' => $db->queries, 'answers' => $answers,
    )));
});
"""

ADMIN = r"""<?php
function dolibarr_set_const($db, $name, $value, $type = 'chaine', $visible = 0, $note = '',
    $entity = 1) {
    if ($value === '') { unset($GLOBALS['stub_consts'][$name]); return 1; }
    $GLOBALS['stub_consts'][$name] = $value;
    return 1;
}
"""


def run_script(
    php: str, script: Path, workdir: Path, ask: dict[str, list[Any]] | None = None
) -> dict[str, Any]:
    """Run a rendered Dolibarr script against the stub; its record, with the answers to
    ``ask`` (name → ``[function, [args]]``) computed after the script ran."""
    htdocs = workdir / "htdocs"
    (htdocs / "core" / "lib").mkdir(parents=True, exist_ok=True)
    (htdocs / "master.inc.php").write_text(MASTER, encoding="utf-8")
    (htdocs / "core" / "lib" / "admin.lib.php").write_text(ADMIN, encoding="utf-8")
    record = workdir / "record.json"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "STUB_OUT": str(record),
        "STUB_ASK": json.dumps(ask or {}),
    }
    proc = subprocess.run(
        [php, str(script), str(htdocs)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return data
