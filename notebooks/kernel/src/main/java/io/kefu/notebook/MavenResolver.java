package io.kefu.notebook;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves {@code groupId:artifactId[:extension[:classifier]]:version} coordinates with their
 * runtime dependencies from the local Maven repository and Maven Central, as Maven itself would.
 * <p>
 * The local repository is {@code -Dmaven.repo.local} if set, else {@code ~/.m2/repository};
 * {@code -Dkefu.maven.offline=true} resolves from the local repository only.
 */
final class MavenResolver {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final boolean offline;

    MavenResolver(Path localRepository, boolean offline) {
        this.localRepository = localRepository;
        this.offline = offline;
    }

    static MavenResolver fromSystemProperties() {
        String local = System.getProperty("maven.repo.local");
        Path repo = local != null && !local.isBlank()
                ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new MavenResolver(repo, Boolean.getBoolean("kefu.maven.offline"));
    }

    /** The jars of the given artifacts and everything they need at run time, in classpath order. */
    List<Path> resolve(List<String> coordinates) throws DependencyResolutionException {
        List<Dependency> roots = new ArrayList<>();
        for (String coordinate : coordinates) {
            DefaultArtifact artifact;
            try {
                artifact = new DefaultArtifact(coordinate);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + coordinate
                        + "' is not Maven coordinates: expected groupId:artifactId[:extension[:classifier]]:version", e);
            }
            roots.add(new Dependency(artifact, JavaScopes.RUNTIME));
        }
        RepositorySystem system = new RepositorySystemSupplier().get();
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setSystemProperties(System.getProperties())
                .setOffline(offline)
                .build()) {
            RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL).build();
            CollectRequest collect = new CollectRequest(roots, List.of(), List.of(central));
            DependencyRequest request = new DependencyRequest(collect,
                    DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
                jars.add(result.getArtifact().getPath());
            }
            return jars;
        } finally {
            system.shutdown();
        }
    }
}
