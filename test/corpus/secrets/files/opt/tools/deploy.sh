#!/bin/sh
set -eu
echo dckr_pat_q2T6Bisvf7YTddXB-O8TERD1jS3 | docker login -u acme --password-stdin
curl -fsSL -u deploy:Hq8vZ2mLx4 https://nexus.acme.internal/repo/app.tgz -o /tmp/app.tgz
dotnet nuget push app.nupkg --api-key oy26g92a7rvw9g3750rrftvwg2ysdj5hyidipn844inck4 --source https://api.nuget.org/v3/index.json
git clone https://deploy:ATBBbDZugRFmZloDdqxnJo9wc5YqP6g1yp8L@bitbucket.org/acme/app.git
