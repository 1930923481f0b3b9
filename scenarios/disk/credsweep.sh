#!/bin/bash
# Abnormal: a credential sweep: shadow files, SSH and cloud keys in every home directory,
# other processes' environments, service-account tokens.   credsweep.sh [SECONDS]
. "$(dirname "$0")/lib.sh"
begin
/usr/bin/python3 - "$DEADLINE" "$SECONDS" <<'PY'
import glob, os, sys, time
end = time.monotonic() + int(sys.argv[1]) - int(sys.argv[2])
targets = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh/ssh_host_rsa_key",
           "/etc/ssh/ssh_host_ed25519_key", "/etc/ssl/private/ssl-cert-snakeoil.key",
           "/var/run/secrets/kubernetes.io/serviceaccount/token", "/run/secrets/db_password"]
homes = ["/root"] + glob.glob("/home/*")
for h in homes:
    for f in (".ssh/id_rsa", ".ssh/id_ed25519", ".ssh/id_ecdsa", ".ssh/authorized_keys",
              ".aws/credentials", ".docker/config.json", ".kube/config", ".netrc",
              ".pgpass", ".git-credentials", ".bash_history", ".gnupg/secring.gpg"):
        targets.append(os.path.join(h, f))
while time.monotonic() < end:
    for p in targets + glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(p, "rb") as f:
                f.read(65536)
        except OSError:
            pass
    time.sleep(0.05)
PY
