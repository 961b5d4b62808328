// A real OpenID Connect provider on loopback for the sign-in tests (panva's oidc-provider).
//
// Usage: node provider.mjs PORT     (or OIDC_PORT; 0 picks a free port)
// Environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI   the one confidential client
//   OIDC_ACCOUNTS   JSON {"login": {"email": ..., "email_verified": ..., "name": ...,
//                   "schac_home_organization": ...}}; the login is the account's `sub`
// The issuer is http://127.0.0.1:PORT. Code flow with PKCE (S256) only. Sign-in and consent
// are the provider's development interactions: a login form (any password) and a consent form.
// When it listens it prints one line to stdout: `oidc-provider ready ISSUER`.
import Provider from "oidc-provider";

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.argv[2] ?? process.env.OIDC_PORT ?? 0);
const accounts = JSON.parse(required("OIDC_ACCOUNTS"));
const CLAIMS = ["email", "email_verified", "name", "schac_home_organization"];

function configuration(issuer) {
  return {
    clients: [
      {
        client_id: required("OIDC_CLIENT_ID"),
        client_secret: required("OIDC_CLIENT_SECRET"),
        redirect_uris: [required("OIDC_REDIRECT_URI")],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "schac_home_organization"],
    },
    // The claims go into the ID token too, so a client may read them from either.
    conformIdTokenClaims: false,
    cookies: { keys: ["oer-test-oidc-provider-cookie-key"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, sub) {
      const account = accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub };
          for (const name of CLAIMS) {
            if (account[name] !== undefined) claims[name] = account[name];
          }
          return claims;
        },
      };
    },
  };
}

// The issuer needs the port; with port 0 find a free one first.
import net from "node:net";
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port: chosen } = server.address();
      server.close(() => resolve(chosen));
    });
  });
}

const listenPort = port || (await freePort());
const issuer = `http://127.0.0.1:${listenPort}`;
const provider = new Provider(issuer, configuration(issuer));
provider.on("server_error", (ctx, error) => console.error("provider.mjs: server_error", error));
const server = provider.listen(listenPort, "127.0.0.1", () => {
  console.log(`oidc-provider ready ${issuer}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
