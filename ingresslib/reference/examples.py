"""Complete `ingress:stack` configs the config reference cuts its examples from.

Each is a valid config (tests parse every one, cross-field rules included) and together they
use every key of every section, so each section of the reference can show all of its keys in
context. Names and identifiers are placeholders (example.com, documentation address ranges,
zeroed account and subscription IDs).
"""

from __future__ import annotations

from string import Template
from typing import Any

import yaml

EKS_GATEWAY = """
# EKS, topology gateway: the NLB in front, TLS at the gateway (cert-manager, a client-verifying
# listener, a Secret of your own), every gateway workload setting, rate limits and JWT.
name: shop
cloud: eks
topology: gateway
gateway:
  name: shop-gateway
  namespace: shop-edge
  createNamespace: true
  revision: 1-24-0
  upgrade: {revision: 1-25-0, replicas: 1}
  labels: {istio: shop-gateway}
  podAnnotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: "true"}
  autoscaling:
    enabled: true
    minReplicas: 3
    maxReplicas: 12
    targetCpuUtilization: 70
    targetMemoryUtilization: 80
    customMetrics:
      - type: Pods
        name: envoy_http_downstream_rq_active
        target: {type: AverageValue, averageValue: "200"}
      - type: External
        name: sqs_messages_visible
        selector: {queue: orders}
        target: {type: Value, value: "500"}
    scaleDownStabilizationSeconds: 300
    scaleUpStabilizationSeconds: 30
  disruption: {enabled: true, minAvailable: 2}
  resources:
    requests: {cpu: 1000m, memory: 1Gi}
    limits: {cpu: "2", memory: 2Gi}
  scheduling:
    nodeSelector: {node.kubernetes.io/purpose: edge}
    tolerations:
      - {key: dedicated, operator: Equal, value: edge, effect: NoSchedule}
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute,
         tolerationSeconds: 30}
    priorityClassName: system-cluster-critical
    zoneSpread: {enabled: true, maxSkew: 1, whenUnsatisfiable: DoNotSchedule}
    nodeSpread: {enabled: true, maxSkew: 1, whenUnsatisfiable: ScheduleAnyway}
  drain: {terminationDrainSeconds: 135, terminationGracePeriodSeconds: 150}
  idleTimeout: 300s
  service:
    type: LoadBalancer
    externalTrafficPolicy: Local
    loadBalancerSourceRanges: [0.0.0.0/0]
    loadBalancerClass: service.k8s.aws/nlb
    annotations: {external-dns.alpha.kubernetes.io/hostname: shop.example.com}
    labels: {team: edge}
    httpTargetPort: 8080
    httpsTargetPort: 8443
  networkPolicy:
    enabled: true
    ingressFrom: [0.0.0.0/0]
    metricsFromNamespaces: [monitoring]
  maxSurge: 25%
listeners:
  - name: http
    port: 80
    protocol: HTTP
    hosts: [shop.example.com, partners.example.com]
    httpsRedirect: true
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [shop.example.com, "*.shop.example.com"]
    tls:
      mode: SIMPLE
      certificate: shop-tls
      minProtocolVersion: TLSV1_2
      cipherSuites: [ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256]
  - name: https-partners
    port: 443
    protocol: HTTPS
    hosts: [partners.example.com]
    tls: {mode: MUTUAL, certificate: partners-tls}
  - name: https-legacy
    port: 443
    protocol: HTTPS
    hosts: [legacy.example.com]
    tls: {certificate: legacy-tls, minProtocolVersion: TLSV1_3}
  - name: tls-db
    port: 443
    protocol: TLS
    hosts: [db.example.com]
    tls: {mode: PASSTHROUGH}
certificates:
  shop-tls:
    source: certManager
    dnsNames: [shop.example.com, "*.shop.example.com"]
    issuer: letsencrypt
    duration: 2160h
    renewBefore: 720h
    privateKey: {algorithm: RSA, size: 2048}
  partners-tls:
    source: selfSigned
    dnsNames: [partners.example.com]
    organization: Example Shop staging
    validityHours: 2160
    earlyRenewalHours: 720
    keyAlgorithm: ECDSA
    clientCa: true
  legacy-tls:
    source: secret
    secretName: legacy-example-com-tls
    dnsNames: [legacy.example.com]
certManager:
  issuers:
    letsencrypt:
      type: acme
      server: letsencrypt-production
      email: platform@example.com
      solver:
        kind: route53
        region: eu-west-1
        hostedZoneId: Z0123456789ABCDEFGHIJ
        role: arn:aws:iam::111122223333:role/cert-manager-dns01
      cluster: true
    letsencrypt-http:
      type: acme
      server: letsencrypt-staging
      email: platform@example.com
      solver: {kind: http01, ingressClass: istio, ingressSelector: ingressgateway}
      cluster: false
    internal-ca:
      type: ca
      secretName: internal-ca-key-pair
      cluster: true
    corporate:
      type: existing
      cluster: true
routing:
  backends:
    shop:
      service: shop
      namespace: shop
      port: 8080
      subsets:
        stable: {version: stable}
        canary: {version: canary}
      trafficPolicy:
        loadBalancer: {simple: LEAST_REQUEST}
        connectionPool:
          tcp: {maxConnections: 1000, connectTimeout: 2s}
          http:
            http1MaxPendingRequests: 100
            http2MaxRequests: 1000
            maxRequestsPerConnection: 100
            maxRetries: 3
            idleTimeout: 1h
            useClientProtocol: false
        outlierDetection:
          consecutive5xxErrors: 5
          interval: 10s
          baseEjectionTime: 30s
          maxEjectionPercent: 50
        tls: {mode: ISTIO_MUTUAL}
    cart:
      service: cart
      namespace: shop
      port: 8080
      trafficPolicy:
        loadBalancer: {hashCookie: cart-session, hashCookieTtl: 1h}
    search:
      service: search
      namespace: shop
      port: 9200
      trafficPolicy:
        loadBalancer:
          hashSourceIp: true
          failover: [{from: eu-west-1, to: eu-central-1}]
        outlierDetection: {}
    recommendations:
      service: recommendations
      namespace: shop
      port: 8080
      trafficPolicy:
        loadBalancer: {hashHeader: x-user-id}
    payments:
      service: payments
      namespace: payments
      port: 443
      trafficPolicy:
        tls: {mode: MUTUAL, sni: payments.example.net, credentialName: payments-client}
    reporting:
      service: reporting
      namespace: reporting
      port: 443
      trafficPolicy:
        tls: {mode: SIMPLE, sni: reporting.example.net}
    db:
      service: db
      namespace: data
      port: 5432
  hosts:
    - host: shop.example.com
      routes:
        - name: health
          match: [{uri: {exact: /healthz}, method: {exact: GET}}]
          directResponse: {status: 200, body: ok}
        - name: catalog-v1
          match: [{uri: {prefix: /catalog/v1/}, ignoreUriCase: true}]
          redirect:
            uri: /catalog/v2/
            authority: shop.example.com
            scheme: https
            port: 443
            redirectCode: 308
        - name: api
          match:
            - uri: {regex: "^/api/v[0-9]+/.*"}
              headers: {x-api-version: {prefix: "2"}}
              queryParams: {debug: {exact: "0"}}
              port: 443
            # The browser's preflight carries no x-api-version: it needs a match of its own
            # on this route, which has cors (ING-IX-CORS-PREFLIGHT).
            - uri: {regex: "^/api/v[0-9]+/.*"}
              method: {exact: OPTIONS}
              queryParams: {debug: {exact: "0"}}
              port: 443
          to: [{backend: shop}]
          rewrite: {uri: /, authority: api.shop.svc.cluster.local}
          timeout: 10s
          retries: {attempts: 2, perTryTimeout: 4s, retryOn: "5xx,reset,connect-failure"}
          cors:
            allowOrigins: [{exact: "https://shop.example.com"}]
            allowMethods: [GET, POST]
            allowHeaders: [authorization, content-type]
            exposeHeaders: [x-request-id]
            maxAge: 24h
            allowCredentials: true
          headers:
            request: {set: {x-edge: shop}, add: {x-forwarded-team: web}, remove: [x-debug]}
            response: {remove: [server]}
        - name: cart
          match: [{uri: {prefix: /cart/}}]
          to: [{backend: cart}]
          fault:
            delay: {percent: 1, fixedDelay: 2s}
            abort: {percent: 0.1, httpStatus: 503}
        - name: search
          match: [{uri: {prefix: /search/}}]
          to: [{backend: search}]
          mirror: {backend: shop, subset: canary, percent: 5}
        - name: payments
          match: [{uri: {prefix: /pay/}}]
          to: [{backend: payments}]
        - name: reports
          match: [{uri: {prefix: /reports/}}]
          to: [{backend: reporting}]
        - name: recommendations
          match: [{uri: {prefix: /recommendations/}}]
          delegate: {name: recommendations, namespace: recommendations}
        - name: web
          to:
            - {backend: shop, subset: stable, weight: 90}
            - {backend: shop, subset: canary, weight: 10}
    - host: "*.shop.example.com"
      routes:
        - name: assets
          match: [{uri: {prefix: /assets/}}]
          to: [{backend: shop, subset: stable}]
    - host: eu.shop.example.com
      inheritWildcardRoutes: true
      routes:
        - name: eu-web
          match: [{uri: {prefix: /eu/}}]
          to: [{backend: shop, subset: stable}]
    - host: partners.example.com
      routes:
        - name: partners
          to: [{backend: shop, subset: stable}]
    - host: legacy.example.com
      routes:
        - name: legacy
          to: [{backend: shop, subset: stable}]
    - host: db.example.com
      tlsRoutes:
        - name: db
          sniHosts: [db.example.com]
          to: [{backend: db}]
security:
  mtls: STRICT
  namespaces: [shop, payments]
  authorization:
    # DENY rules restrict what they match and leave the rest alone; an ALLOW rule would
    # also deny every other host and path the gateway serves (ING-IX-ALLOW-SCOPE).
    - name: admin-outside-office
      action: DENY
      hosts: [shop.example.com]
      paths: [/admin/*]
      notClientCidrs: [198.51.100.0/24]
    - name: admin-without-token
      action: DENY
      hosts: [shop.example.com]
      paths: [/admin/*]
      jwtRequired: true
    - name: no-trace
      action: DENY
      methods: [TRACE, CONNECT]
    - name: blocked-range
      action: DENY
      clientCidrs: [203.0.113.0/24]
    - name: no-internal-paths
      action: DENY
      paths: [/internal/*]
      notClientCidrs: [10.0.0.0/8]
  jwt:
    - issuer: https://login.example.com/
      jwksUri: https://login.example.com/.well-known/jwks.json
      audiences: [shop]
      forwardOriginalToken: true
      fromHeaders: [{name: authorization, prefix: "Bearer "}]
      fromParams: [access_token]
    - issuer: https://partners.example.com/
      jwks: '{"keys": [{"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}'
      audiences: [partners]
rateLimits:
  local:
    - {scope: gateway, maxTokens: 5000, tokensPerFill: 5000, fillInterval: 1s}
    - {scope: host, host: partners.example.com, ports: [443], maxTokens: 100, tokensPerFill: 100,
       fillInterval: 1s}
    - {scope: route, host: shop.example.com, route: cart, maxTokens: 50, tokensPerFill: 50,
       fillInterval: 1s, statusCode: 503}
  global:
    domain: istio-ingress
    failureModeDeny: true
    timeout: 100ms
    service: {host: ratelimit.ratelimit.svc.cluster.local, port: 8081}
    descriptors:
      - actions: [{remoteAddress: {}}]
        limit: {unit: minute, requestsPerUnit: 600}
      - hosts: [shop.example.com]
        actions: [{genericKey: {value: checkout}}, {requestHeaders: {header: x-api-key,
                                                                    descriptorKey: api_key}}]
        limit: {unit: second, requestsPerUnit: 20}
    deploy:
      namespace: ratelimit
      replicas: 2
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: "1", memory: 256Mi}
      redisResources:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {cpu: "1", memory: 512Mi}
loadBalancer:
  scheme: internet-facing
  deregistrationDelaySeconds: 30
observability:
  prometheusScrape: true
  monitor: ServiceMonitor
  monitorLabels: {release: prometheus}
  scrapeInterval: 30s
  rateWindow: 5m
  alerts:
    enabled: true
    labels: {team: edge}
    latencyP95Ms: 500
    latencyP99Ms: 1000
    latencyFor: 10m
    errorRatio5xx: 0.05
    errorsFor: 5m
    replicasFor: 5m
    hpaAtMaxFor: 15m
    certificateExpiryDays: 14
    certificateFor: 1h
  dashboard:
    enabled: true
    namespace: monitoring
    sidecarLabel: grafana_dashboard
    sidecarLabelValue: "1"
  accessLogs:
    enabled: true
    provider: envoy
    filter: response.code >= 400
aws:
  cluster: shop-prod
  nlb:
    targetType: ip
    crossZone: true
    subnets:
      - {id: subnet-0a1b2c3d4e5f60001, zone: eu-west-1a, cidr: 10.0.0.0/24}
      - {id: subnet-0a1b2c3d4e5f60002, zone: eu-west-1b, cidr: 10.0.1.0/24}
    elasticIps: [eipalloc-0a1b2c3d4e5f60001, eipalloc-0a1b2c3d4e5f60002]
    proxyProtocol: false
    preserveClientIp: true
    connectionTermination: true
    idleTimeoutSeconds: 350
    sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
    accessLogs: {bucket: shop-edge-logs, prefix: nlb}
  dns: {zone: example.com, private: false}
"""

EKS_CHAINED = """
# EKS, topology chained: an ALB with WAF in front of the gateway, its ACM certificate requested
# and validated in Route53; a fixed number of gateway pods; the routing in Gateway API, with
# the experimental channel's fields, a gRPC backend and a canary between subset Services.
cloud: eks
topology: chained
api: gatewayApi
gatewayApi: {channel: experimental}
gateway:
  replicas: 3
  autoscaling: {enabled: false}
  disruption: {maxUnavailable: 1}
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [shop.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [shop.example.com]
    tls: {certificate: edge-tls}
certificates:
  edge-tls: {source: acm, dnsNames: [shop.example.com], validationZone: example.com}
routing:
  backends:
    shop:
      service: shop
      namespace: shop
      port: 8080
      selector: {app: shop}
      targetPort: http
      subsets: {stable: {version: stable}, canary: {version: canary}}
    orders: {service: orders, namespace: shop, port: 50051, protocol: GRPC}
  hosts:
    - host: shop.example.com
      routes:
        - name: orders
          match: [{uri: {prefix: /shop.Orders/}}]
          to: [{backend: orders}]
        - name: web
          to:
            - {backend: shop, subset: stable, weight: 95}
            - {backend: shop, subset: canary, weight: 5}
          retries: {attempts: 2, retryOn: "502,503"}
aws:
  alb:
    vpcId: vpc-0a1b2c3d4e5f60000
    subnets:
      - {id: subnet-0a1b2c3d4e5f60001, zone: eu-west-1a}
      - {id: subnet-0a1b2c3d4e5f60002, zone: eu-west-1b}
    allowedCidrs: [0.0.0.0/0]
    targetSecurityGroup: sg-0a1b2c3d4e5f60000
    idleTimeoutSeconds: 60
    protocolVersion: HTTP1
    dropInvalidHeaderFields: true
    deletionProtection: true
    sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
    webAclArn: ${web_acl}
    accessLogs: {bucket: shop-edge-logs, prefix: alb}
"""

EKS_STANDALONE = """
# EKS, topology standalone: the ALB routes to sidecar-injected backends itself, one target group
# per backend; an existing ACM certificate.
cloud: eks
topology: standalone
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [shop.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [shop.example.com]
    tls: {certificate: edge-tls}
certificates:
  edge-tls:
    source: acm
    dnsNames: [shop.example.com]
    arn: arn:aws:acm:eu-west-1:111122223333:certificate/0e4a9c61-5b7d-4f0e-9a3b-2c8d1e6f7a90
routing:
  backends:
    shop: {service: shop, namespace: shop, port: 80}
  hosts:
    - host: shop.example.com
      routes: [{name: web, to: [{backend: shop}]}]
security:
  namespaces: [shop]
  standalonePorts:
    - namespace: shop
      selector: {app: shop}
      ports: [8080]
aws:
  alb:
    vpcId: vpc-0a1b2c3d4e5f60000
    subnets:
      - {id: subnet-0a1b2c3d4e5f60001, zone: eu-west-1a}
      - {id: subnet-0a1b2c3d4e5f60002, zone: eu-west-1b}
    allowedCidrs: [0.0.0.0/0]
    targetSecurityGroup: sg-0a1b2c3d4e5f60000
    backends:
      shop: {targetPort: 8080, protocolVersion: HTTP1, healthCheckPath: /healthz,
             healthCheckMatcher: 200-399}
"""

AKS_GATEWAY = """
# AKS, topology gateway: the Standard load balancer on a static public IP, a Key Vault this
# stack creates, a certificate imported into it and synced into the gateway namespace, and
# Let's Encrypt through Azure DNS.
cloud: aks
topology: gateway
listeners:
  - name: http
    port: 80
    protocol: HTTP
    hosts: ["*"]
    allowAnyHost: true
    httpsRedirect: false
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [portal.example.com]
    tls: {certificate: portal-tls}
  - name: https-status
    port: 443
    protocol: HTTPS
    hosts: [status.example.com]
    tls: {certificate: status-tls}
certificates:
  portal-tls:
    source: keyVault
    dnsNames: [portal.example.com]
    vault: kv-portal-edge
    resourceGroup: portal-edge
    certificate: portal
    importFrom: {secretConfig: portalTlsPem, format: pem}
  status-tls:
    source: certManager
    dnsNames: [status.example.com]
    issuer: letsencrypt
certManager:
  issuers:
    letsencrypt:
      type: acme
      email: platform@example.com
      solver:
        kind: azureDns
        subscriptionId: 00000000-0000-0000-0000-000000000000
        resourceGroup: dns
        hostedZone: example.com
        managedIdentityClientId: 11111111-1111-1111-1111-111111111111
routing:
  backends:
    portal: {service: portal, namespace: portal, port: 8080}
  hosts:
    - host: portal.example.com
      routes: [{name: web, to: [{backend: portal}]}]
    - host: status.example.com
      routes: [{name: status, to: [{backend: portal}]}]
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks, nodeResourceGroup: portal-aks-nodes}
  publicIp:
    name: portal-edge-ip
    resourceGroup: portal-network
    sku: Standard
    zones: ["1", "2", "3"]
    dnsLabel: portal-edge
    protect: true
  loadBalancer: {idleTimeoutMinutes: 30, probeIntervalSeconds: 5, probeThreshold: 2, tcpReset: true}
  keyVault:
    name: kv-portal-edge
    sku: standard
    purgeProtection: true
    softDeleteRetentionDays: 90
    allowedSubnetIds:
      - ${vnet}/subnets/aks
    allowedIpRanges: [203.0.113.0/24]
  certificateSync: {image: mcr.microsoft.com/oss/kubernetes/pause:3.10, replicas: 2}
  keyVaultRoleScope: secret
  tags: {team: portal, environment: production}
"""

AKS_CHAINED = """
# AKS, topology chained: Application Gateway (WAF_v2) in front of the gateway's internal load
# balancer, its certificate imported into Key Vault as PFX.
cloud: aks
topology: chained
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [portal.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [portal.example.com]
    tls: {certificate: portal-tls}
certificates:
  portal-tls:
    source: keyVault
    dnsNames: [portal.example.com]
    vault: kv-portal-edge
    resourceGroup: portal-edge
    certificate: portal
    importFrom: {secretConfig: portalTlsPfx, format: pfx}
routing:
  backends:
    portal: {service: portal, namespace: portal, port: 8080}
  hosts:
    - host: portal.example.com
      routes:
        # WebSockets: Application Gateway waits an hour on this host's listeners, since its
        # request timeout also ends a WebSocket (EDGE-TO-LONG).
        - name: live
          match: [{uri: {prefix: /live/}}]
          to: [{backend: portal}]
          timeout: 1h
          longLived: true
        - {name: web, to: [{backend: portal}]}
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks}
  loadBalancer: {subnet: ingress, privateIp: 10.240.4.10}
  applicationGateway:
    subnetId: ${vnet}/subnets/appgw
    zones: ["1", "2", "3"]
    minCapacity: 2
    maxCapacity: 10
    waf:
      mode: Prevention
      ruleSetVersion: "3.2"
      requestBodyCheck: true
      maxRequestBodySizeKb: 128
      fileUploadLimitMb: 100
    requestTimeoutSeconds: 30
    http2: true
"""

AKS_STANDALONE = """
# AKS, topology standalone: the Application Gateway Ingress Controller programs Application
# Gateway from one Ingress per route; the backends' ports it reaches stay PERMISSIVE.
cloud: aks
topology: standalone
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [portal.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [portal.example.com]
    tls: {certificate: portal-tls}
certificates:
  portal-tls:
    source: keyVault
    dnsNames: [portal.example.com]
    vault: kv-portal-edge
    resourceGroup: portal-edge
    certificate: portal
routing:
  backends:
    portal: {service: portal, namespace: portal, port: 80}
  hosts:
    - host: portal.example.com
      routes: [{name: web, to: [{backend: portal}]}]
security:
  standalonePorts:
    - {namespace: portal, selector: {app: portal}, ports: [8080, 8081]}
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks}
  applicationGateway:
    subnetId: ${vnet}/subnets/appgw
    ingressClass: azure-application-gateway
    controllerPrincipalId: 22222222-2222-4222-8222-222222222222
    backends:
      portal:
        targetPort: 8080
        healthProbePath: /healthz/ready
        healthProbePort: 8081
        healthProbeStatusCodes: 200-399
"""

AKS_ADDON = """
# AKS, topology gateway on the AKS Istio add-on's internal gateway: ingresslib binds routes to
# it and patches its Service, and deploys no gateway of its own.
cloud: aks
topology: gateway
gateway:
  service:
    annotations: {external-dns.alpha.kubernetes.io/hostname: portal.internal.example.com}
loadBalancer: {scheme: internal}
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [portal.internal.example.com]}
routing:
  backends:
    portal: {service: portal, namespace: portal, port: 8080}
  hosts:
    - host: portal.internal.example.com
      routes: [{name: web, to: [{backend: portal}]}]
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks}
  loadBalancer: {subnet: ingress}
  istioAddon: {revision: asm-1-24, minReplicas: 2, maxReplicas: 5}
"""

AKS_AGC_STANDALONE = """
# AKS, topology standalone with Application Gateway for Containers: a Gateway of class
# azure-alb-external and an HTTPRoute splitting 90/10 between Services of two subsets, on an
# AGC ingresslib creates with its delegated subnet, WAF policy and the ALB Controller's roles.
name: portal
cloud: aks
topology: standalone
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [portal.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [portal.example.com]
    tls: {certificate: portal-tls}
certificates:
  portal-tls: {source: secret, secretName: portal-tls, dnsNames: [portal.example.com]}
routing:
  backends:
    portal:
      service: portal
      namespace: portal
      port: 8080
      selector: {app: portal}
      subsets: {stable: {version: stable}, canary: {version: canary}}
  hosts:
    - host: portal.example.com
      routes:
        - name: web
          timeout: 20s
          to:
            - {backend: portal, subset: stable, weight: 90}
            - {backend: portal, subset: canary, weight: 10}
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks}
  applicationGatewayForContainers:
    name: portal-agc
    subnet: {id: ${vnet}/subnets/agc, addressPrefix: 10.240.16.0/24, create: true}
    controllerPrincipalId: 33333333-3333-4333-8333-333333333333
    namespace: portal-agc
    requestTimeoutSeconds: 60
    tlsPolicy: 2023-06-S
    healthCheck: {intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 1,
                  unhealthyThreshold: 3}
    waf:
      enabled: true
      mode: Prevention
      ruleSetVersion: "2.1"
      requestBodyCheck: true
      maxRequestBodySizeKb: 128
      fileUploadLimitMb: 100
    backends:
      portal: {healthProbePath: /healthz/ready, healthProbePort: 8081,
               healthProbeStatusCodes: "200-399"}
security:
  standalonePorts:
    - {namespace: portal, selector: {app: portal}, ports: [8080, 8081]}
"""

AKS_AGC_CHAINED = """
# AKS, topology chained with Application Gateway for Containers in front of the Istio gateway's
# pods (ClusterIP), on an existing delegated subnet, with a WAF policy of your own.
name: portal
cloud: aks
topology: chained
gateway:
  networkPolicy: {ingressFrom: [10.240.16.0/24]}
listeners:
  - {name: http, port: 80, protocol: HTTP, hosts: [portal.example.com]}
  - name: https
    port: 443
    protocol: HTTPS
    hosts: [portal.example.com]
    tls: {certificate: portal-tls}
certificates:
  portal-tls: {source: secret, secretName: portal-tls, dnsNames: [portal.example.com]}
routing:
  backends:
    portal: {service: portal, namespace: portal, port: 8080}
  hosts:
    - host: portal.example.com
      routes: [{name: web, to: [{backend: portal}]}]
azure:
  location: westeurope
  resourceGroup: portal-edge
  cluster: {name: portal-aks, resourceGroup: portal-aks}
  applicationGatewayForContainers:
    subnet: {id: ${vnet}/subnets/agc, addressPrefix: 10.240.16.0/24}
    waf:
      policyId: ${waf_policy}
"""

CONFIGS = (EKS_GATEWAY, EKS_CHAINED, EKS_STANDALONE, AKS_GATEWAY, AKS_CHAINED, AKS_STANDALONE,
           AKS_ADDON, AKS_AGC_STANDALONE, AKS_AGC_CHAINED)
# Identifiers too long for a source line, substituted for `${name}` above.
_IDS = {
    "web_acl": "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop-edge/"
               "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
    "vnet": "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/portal-network/"
            "providers/Microsoft.Network/virtualNetworks/portal",
    "waf_policy": "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/"
                  "portal-edge/providers/Microsoft.Network/"
                  "ApplicationGatewayWebApplicationFirewallPolicies/portal-waf",
}


def configs() -> list[dict[str, Any]]:
    """The example configs as data, in the order above."""
    return [yaml.safe_load(Template(text).substitute(_IDS)) for text in CONFIGS]
