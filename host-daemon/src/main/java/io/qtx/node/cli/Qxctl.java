package io.qtx.node.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qtx.node.config.ConfigFile;
import io.qtx.node.config.TokenFile;

/** {@code qxctl}: qx-node's command line client, over its HTTP API. */
public final class Qxctl {

    static final String DEFAULT_URL = "http://127.0.0.1:8710";

    /** Options before or after the command; the rest are the command's words. */
    record Options(String url, String token, boolean json, Duration timeout, int count, List<String> words,
                   List<String> afterDashes, String tokenProblem) {
    }

    private Qxctl() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.in, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args, env);
        } catch (CliException e) {
            err.println("qxctl: " + e.getMessage());
            return e.exit.status;
        }
        if (o.words().isEmpty() || o.words().get(0).equals("help")) {
            out.print(help());
            return o.words().isEmpty() && args.length == 0 ? Exit.USAGE.status : Exit.OK.status;
        }
        try (ApiClient api = new ApiClient(o.url(), o.token(), o.timeout())) {
            return new Commands(api, o, stdin, out, err).run().status;
        } catch (Commands.RemoteExit e) {
            return e.status;
        } catch (CliException e) {
            if (o.json() && e.json != null) {
                out.println(e.json);
            }
            err.println("qxctl: " + e.getMessage());
            if (e.exit == Exit.UNAUTHORIZED && o.tokenProblem() != null) {
                err.println("qxctl: no token sent: " + o.tokenProblem());
            }
            return e.exit.status;
        }
    }

    static Options parse(String[] args, Map<String, String> env) throws CliException {
        Path config = Path.of(env.getOrDefault("QXCTL_CONFIG", ConfigFile.DEFAULT_PATH.toString()));
        String url = env.getOrDefault("QXCTL_URL", urlOf(ConfigFile.peek(config, "api.listen")));
        String tokenFile = null;
        boolean json = false;
        Duration timeout = Duration.ofSeconds(10);
        int count = 0;
        List<String> words = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                rest.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            switch (a) {
                case "--json" -> json = true;
                case "-h", "--help" -> words.add(0, "help");
                case "--url" -> url = value(args, ++i, a);
                case "--token-file" -> tokenFile = value(args, ++i, a);
                case "--timeout" -> timeout = Duration.ofMillis(positive(value(args, ++i, a), a));
                case "--count", "-n" -> count = (int) positive(value(args, ++i, a), a);
                default -> {
                    if (a.startsWith("--")) {
                        throw new CliException(Exit.USAGE, "unknown option " + a + " (see qxctl --help)");
                    }
                    words.add(a);
                }
            }
        }
        String token = null;
        String problem = null;
        if (tokenFile != null) {
            try {
                token = TokenFile.read(Path.of(tokenFile));
            } catch (TokenFile.Problem e) {
                throw new CliException(Exit.USAGE, "--token-file: " + e.getMessage());
            }
        } else if (env.get("QXCTL_TOKEN") != null) {
            token = env.get("QXCTL_TOKEN").strip();
        } else {
            // The file qx-node itself uses: readable by root, or by the group the operator gave it.
            Path file = Path.of(env.getOrDefault("QXCTL_TOKEN_FILE", ConfigFile.peek(config, "api.token_file")));
            try {
                token = TokenFile.read(file);
            } catch (TokenFile.Problem e) {
                problem = e.getMessage() + " (run as root or as a member of the file's group, or use --token-file)";
            }
        }
        return new Options(url, token, json, timeout, count, words, rest, problem);
    }

    /** qx-node's URL from its api.listen: a wildcard address is reached on loopback. */
    static String urlOf(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || listen.endsWith(":0")) {
            return DEFAULT_URL;
        }
        String host = listen.substring(0, colon);
        if (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")) {
            host = "127.0.0.1";
        }
        return "http://" + host + listen.substring(colon);
    }

    private static String value(String[] args, int i, String option) throws CliException {
        if (i >= args.length) {
            throw new CliException(Exit.USAGE, option + " needs a value");
        }
        return args[i];
    }

    private static long positive(String s, String option) throws CliException {
        try {
            long n = Long.parseLong(s);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CliException(Exit.USAGE, option + " wants a positive whole number, not '" + s + "'");
    }

    static String help() {
        StringBuilder h = new StringBuilder("""
                qxctl: talk to qx-node (the qtx host daemon) through its HTTP API.

                usage: qxctl [options] COMMAND [ARGS]

                commands:
                  vms                         every VM with its agent's state
                  status                      every VM: state, a fresh ping RTT, latest telemetry; exits 1
                                              unless every VM is ready (the demo's check)
                  info VM                     one VM: state, why, counters, the agent's system info
                  ping VM [-n N]              round trip to the agent through qx-node
                  exec VM -- CMD [ARGS...]    run a command in the guest (no shell); prints its output,
                                              exits with its status (128+N when killed by signal N)
                  cp VM:PATH LOCAL|-          copy a file out of the guest ('-' = standard output)
                  cp LOCAL|- VM:PATH          copy a file into the guest ('-' = standard input)
                  top [VM] [-n N]             live telemetry (N reports, or until interrupted)
                  doctor VM                   walk the channel step by step and say what to do
                  shutdown VM | reboot VM     power the guest off / reboot it through the agent

                options:
                  --url URL                   qx-node's API (default $QXCTL_URL, else api.listen of
                                              $QXCTL_CONFIG or /etc/quantix-kvm/node.conf, else %s)
                  --token-file FILE           the API token (default $QXCTL_TOKEN, else the file
                                              $QXCTL_TOKEN_FILE, else api.token_file of that config,
                                              by default /var/lib/quantix-kvm/qx-node.token: readable
                                              by root, or by a group the operator gives it)
                  --json                      print the API's JSON instead of text (every command)
                  --timeout MS                agent request deadline (default 10000)
                  -n, --count N               repetitions for ping, reports for top

                exit status:
                """.formatted(DEFAULT_URL));
        for (Exit e : Exit.values()) {
            h.append(String.format("  %3d  %s%n", e.status, e.meaning));
        }
        h.append("  exec exits with the remote command's own status when it ran.\n");
        return h.toString();
    }
}
