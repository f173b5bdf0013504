// Run by consumer-app-check (maven-invoker-plugin) after this project's build: the remote client
// must stay light. Fails when a heavy library reaches its runtime class path.
evaluate(new File(consumerApps, 'classpath-report.groovy'))

if (heavyFound) {
    throw new IllegalStateException("[consumer ${name}] the remote-only client must not carry heavy libraries, "
            + "but its runtime class path has:\n  " + heavyFound.join('\n  ')
            + "\nFind who brings them in ${tree} and exclude them, or move them out of the module that does.")
}
return true
