set -euo pipefail
dnf install -y docker python3 unzip
systemctl enable --now docker
# Swap: the agent image builds here, and a 2 GB instance must not kill a call.
if [ ! -f /swapfile ]; then dd if=/dev/zero of=/swapfile bs=1M count={{swap_mb}}; chmod 600 /swapfile; mkswap /swapfile; echo '/swapfile swap swap defaults 0 0' >> /etc/fstab; fi
swapon -a
mkdir -p /usr/local/lib/docker/cli-plugins {{voice_dir}} {{caddy_data}}
# Docker Compose, refused unless it matches the release's published checksum.
curl -fsSL -o {{compose}} https://github.com/docker/compose/releases/download/{{compose_version}}/docker-compose-linux-{{arch}}
echo '{{compose_sha256}}  {{compose}}' | sha256sum -c -
chmod +x {{compose}}
aws s3 cp {{source_url}} {{voice_dir}}/app.zip
rm -rf {{app_dir}}
unzip -q {{voice_dir}}/app.zip -d {{app_dir}}
# The secret is read here, at boot, with the instance role; never templated in.
umask 077
aws secretsmanager get-secret-value --region {{region}} --secret-id {{secret_arn}} --query SecretString --output text > {{voice_dir}}/secret.json
python3 {{app_dir}}/voice_agent/deploy/render.py {{render_args}}
rm -f {{voice_dir}}/secret.json
# The certificates the last instance had; then kept in S3 every 30 minutes.
aws s3 sync {{state_url}} {{caddy_data}}/ --only-show-errors --region {{region}}
cp {{run_dir}}/caddy-state.service {{run_dir}}/caddy-state.timer /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now caddy-state.timer
# A certificate challenge reaches this instance only once the Elastic IP is here.
imds_token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 900')
for attempt in $(seq 60); do [ "$(curl -fsS -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/public-ipv4 || true)" = {{address}} ] && break; sleep 10; done
# Restarted with the instance (docker is enabled, services restart unless stopped).
cd {{run_dir}} && docker compose up -d --build
