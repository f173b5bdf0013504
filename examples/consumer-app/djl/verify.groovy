// Run by consumer-app-check (maven-invoker-plugin) after this project's build: records what the
// training client costs and checks that PyTorch is on its class path.
evaluate(new File(consumerApps, 'classpath-report.groovy'))

if (!heavyFound.any { it.startsWith('PyTorch') }) {
    throw new IllegalStateException("[consumer ${name}] expected PyTorch (ai.djl) on the training client's class path")
}
return true
