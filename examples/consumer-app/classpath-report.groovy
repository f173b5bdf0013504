// Shared by both consumers' verify.groovy (evaluated in their binding): prints the project's
// dependency:tree and the size of its runtime class path, checks that Kefu's jars come from this
// build's repository with their JPMS names, and leaves `name`, `tree` and `heavyFound` (the heavy
// libraries on the class path, as "what: jar") for the caller's own check.
import java.util.jar.JarFile

def heavy = [
    'ai/djl'                   : 'PyTorch (DJL)',
    'com/microsoft/onnxruntime': 'ONNX Runtime',
    'com/huaban'               : 'jieba',
    'org/knowm/xchart'         : 'XChart',
    'com/hubspot/jinjava'      : 'Jinjava',
]
name = basedir.name
tree = new File(basedir, 'target/dependency-tree.txt')
println "[consumer ${name}] dependency:tree (${tree}):\n" + tree.text
def jars = new File(basedir, 'target/runtime-classpath.txt').text.trim().split(File.pathSeparator)
        .findAll { it }.collect { new File(it) }
def mb = jars.sum(0L) { it.length() } / 1048576.0
def summary = String.format('[consumer %s] runtime class path: %d jars, %.1f MB', name, jars.size(), mb)
println summary
// also into the main build's output (the invoker sends System.out to this project's build.log)
new PrintStream(new FileOutputStream(FileDescriptor.out), true, 'UTF-8').println(summary)

heavyFound = jars.collectMany { jar ->
    def path = jar.path.replace('\\', '/')
    heavy.findAll { group, what -> path.contains('/' + group + '/') }.collect { group, what -> "${what}: ${jar.name}" }
}

// Kefu's own jars come from this build (the private repository), each with its JPMS name
def repo = localRepositoryPath.canonicalPath
jars.findAll { it.path.replace('\\', '/').contains('/io/kefu/') }.each { jar ->
    if (!jar.canonicalPath.startsWith(repo)) {
        throw new IllegalStateException("${jar} is not from this build's repository ${repo}")
    }
    def moduleName = new JarFile(jar).withCloseable { it.manifest?.mainAttributes?.getValue('Automatic-Module-Name') }
    if (!moduleName) {
        throw new IllegalStateException("${jar.name} has no Automatic-Module-Name in its manifest")
    }
    println "[consumer ${name}] ${jar.name}: Automatic-Module-Name ${moduleName}"
}
