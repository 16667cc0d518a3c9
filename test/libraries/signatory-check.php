<?php
// Runs dsjsdz/signatory's own Signatory as a PHP merchant does, for
// test/callbacks/merchant-libraries.test.ts. argv[1]: the library's checkout
// (VENDCLOUD_SIGNATORY_PHP_DIR).
//
// stdin: {"key": "...", "jobs": [{"sign": {fields}} | {"check": "<callback body>"}]}
// stdout: one JSON array, per job the sign (genSignature of the fields) or whether
// checkSignature accepts the body, decoded with json_decode($body, true) as a merchant's
// handler would decode it.
require $argv[1] . '/src/Error.php';
require $argv[1] . '/src/Signatory.php';

use Dsjsdz\Signatory\Signatory;

$input = json_decode(file_get_contents('php://stdin'), true);
$signatory = new Signatory($input['key']);
$results = [];
foreach ($input['jobs'] as $job) {
    if (array_key_exists('sign', $job)) {
        $results[] = $signatory->genSignature($job['sign']);
        continue;
    }
    $body = json_decode($job['check'], true);
    $results[] = is_array($body) && is_string($body['sign'] ?? null) && $signatory->checkSignature($body, $body['sign']);
}
echo json_encode($results), "\n";
