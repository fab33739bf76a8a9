// Oracle for src/version/maven.test.ts: reads "A<TAB>B" lines, prints -1/0/1 per line
// as Maven's own org.apache.maven.artifact.versioning.ComparableVersion orders them.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            int c = new ComparableVersion(line.substring(0, tab)).compareTo(new ComparableVersion(line.substring(tab + 1)));
            out.append(c < 0 ? "-1" : c > 0 ? "1" : "0").append('\n');
        }
        System.out.print(out);
    }
}
